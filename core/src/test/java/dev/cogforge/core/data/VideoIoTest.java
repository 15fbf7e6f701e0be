package dev.cogforge.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.cogforge.core.engine.Tensors;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoIoTest {
    @TempDir
    Path dir;

    @Test
    void writesAndReadsBackAClipWithMetadataAndSampling() throws Exception {
        SyntheticClips.Clip clip = SyntheticClips.catalogue().getFirst();
        List<RgbFrame> frames = SyntheticClips.frames(clip);
        Path mp4 = dir.resolve("a.mp4");
        VideoWriter.writeMp4(mp4, frames, SyntheticClips.FPS);

        VideoInfo info = VideoReader.probe(mp4);
        System.out.println(info + " bytes=" + Files.size(mp4));
        assertEquals(SyntheticClips.FRAMES, info.frames());
        assertEquals(SyntheticClips.WIDTH, info.width());
        assertEquals(SyntheticClips.HEIGHT, info.height());
        assertEquals(8.0, info.fps(), 1e-6);
        assertEquals(SyntheticClips.FRAMES / 8.0, info.durationSeconds(), 0.2);
        assertEquals(SyntheticClips.FRAMES, VideoReader.countFrames(mp4));

        List<RgbFrame> all = VideoReader.read(mp4, new FrameSampling.All());
        assertEquals(SyntheticClips.FRAMES, all.size());
        // lossy codec: the decoded picture stays close to what was rendered
        assertTrue(meanAbsDiff(frames.get(8), all.get(8)) < 6, "decoded frame far from the rendered one");

        List<RgbFrame> uniform = VideoReader.read(mp4, new FrameSampling.Uniform(5));
        assertEquals(5, uniform.size());
        assertArrayEquals(all.get(0).rgb(), uniform.get(0).rgb());
        assertArrayEquals(all.get(3).rgb(), uniform.get(1).rgb());
        List<RgbFrame> strided = VideoReader.read(mp4, new FrameSampling.FirstN(4, 2));
        assertArrayEquals(all.get(6).rgb(), strided.get(3).rgb());
        // asking for more than the clip holds gives what is there rather than failing
        assertEquals(SyntheticClips.FRAMES, VideoReader.read(mp4, new FrameSampling.FirstN(100, 1)).size());

        RgbFrame thumb = VideoReader.thumbnail(mp4, 40);
        assertEquals(40, thumb.width());
        assertEquals(24, thumb.height());
    }

    @Test
    void framesBecomeAChannelFirstTensorInMinusOneToOne() {
        RgbFrame a = RgbFrame.blank(2, 1);
        a.set(0, 0, 255, 0, 128);
        RgbFrame b = RgbFrame.blank(2, 1);
        b.set(1, 0, 0, 255, 0);
        try (PointerScope s = new PointerScope()) {
            Tensor t = VideoReader.toTensor(List.of(a, b));
            assertArrayEquals(new long[] {3, 2, 1, 2}, Tensors.shape(t));
            float[] v = Tensors.toFloats(t);
            // [c][f][h][w]
            assertEquals(1f, v[0], 1e-6);          // R, frame 0, x0
            assertEquals(-1f, v[1], 1e-6);         // R, frame 0, x1
            assertEquals(1f, v[2 * 2 + 1 * 2 + 1], 1e-6); // G, frame 1, x1
            assertEquals(128 / 127.5f - 1, v[2 * 4], 1e-6); // B, frame 0, x0
        }
    }

    @Test
    void corruptTruncatedAndEmptyFilesFailWithTheFileName() throws Exception {
        Path good = dir.resolve("good.mp4");
        VideoWriter.writeMp4(good, SyntheticClips.frames(SyntheticClips.catalogue().get(1)), 8);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = dir.resolve("truncated.mp4");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        Path garbage = dir.resolve("garbage.mp4");
        Files.writeString(garbage, "this is not a video at all");
        Path empty = dir.resolve("empty.mp4");
        Files.createFile(empty);
        for (Path bad : List.of(truncated, garbage, empty, dir.resolve("missing.mp4"))) {
            VideoException e = assertThrows(VideoException.class, () -> VideoReader.read(bad, new FrameSampling.All()));
            assertTrue(e.getMessage().contains(bad.getFileName().toString()), e.getMessage());
        }
    }

    @Test
    void imagesAreOneFrameClips() throws Exception {
        Path png = dir.resolve("still.png");
        RgbFrame frame = SyntheticClips.render(SyntheticClips.catalogue().get(2), 0);
        ImageFiles.writePng(png, frame);
        VideoInfo info = VideoReader.probe(png);
        assertTrue(info.image());
        assertEquals(1, info.frames());
        List<RgbFrame> frames = VideoReader.read(png, new FrameSampling.Uniform(9));
        assertEquals(1, frames.size());
        assertArrayEquals(frame.rgb(), frames.getFirst().rgb());
    }

    @Test
    void resizeAndCropKeepTheCentre() {
        RgbFrame src = RgbFrame.blank(40, 20);
        src.set(20, 10, 255, 255, 255);
        RgbFrame out = FrameOps.resizeAndCenterCrop(src, 16, 16);
        assertEquals(16, out.width());
        assertEquals(16, out.height());
        RgbFrame r = FrameOps.resize(src, 20, 10);
        assertEquals(20, r.width());
    }

    static double meanAbsDiff(RgbFrame a, RgbFrame b) {
        double sum = 0;
        for (int i = 0; i < a.rgb().length; i++) sum += Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff));
        return sum / a.rgb().length;
    }
}

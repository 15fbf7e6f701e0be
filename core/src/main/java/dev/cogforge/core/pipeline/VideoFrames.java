package dev.cogforge.core.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.data.ImageFiles;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.AtomicFiles;

/** Decoded video tensors to 8-bit frames, and the frame outputs besides the mp4 (PNG sequence, GIF). */
final class VideoFrames {
    private VideoFrames() {}

    /**
     * {@code [1, 3, F, H, W]} in [-1, 1] to RGB frames as the pipelines post-process: {@code (v / 2 + 0.5)} clamped to
     * [0, 1], times 255, rounded half to even like numpy's {@code round}.
     */
    static List<RgbFrame> fromDecoded(Tensor video) {
        if (video.dim() != 5 || video.size(0) != 1 || video.size(1) != 3) {
            throw new IllegalArgumentException("decoded video must be [1, 3, F, H, W], got " + java.util.Arrays.toString(Tensors.shape(video)));
        }
        int f = (int) video.size(2), h = (int) video.size(3), w = (int) video.size(4);
        Tensor unit = video.select(0, 0).to(ScalarType.Float).div(new Scalar(2.0)).add(new Scalar(0.5))
                .clamp(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(1.0)));
        float[] v = Tensors.toFloats(unit.permute(1, 2, 3, 0).contiguous());
        List<RgbFrame> frames = new ArrayList<>(f);
        int per = 3 * h * w;
        for (int t = 0; t < f; t++) {
            byte[] rgb = new byte[per];
            for (int i = 0; i < per; i++) rgb[i] = (byte) (int) Math.rint(v[t * per + i] * 255.0);
            frames.add(new RgbFrame(w, h, rgb));
        }
        return frames;
    }

    /** {@code frame_0000.png}, ... in {@code dir}; each file is written atomically. */
    static List<Path> writePngs(Path dir, List<RgbFrame> frames) throws IOException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            Path p = dir.resolve(String.format(Locale.ROOT, "frame_%04d.png", i));
            ImageFiles.writePng(p, frames.get(i));
            out.add(p);
        }
        return out;
    }

    /** An endlessly looping GIF through the bundled FFmpeg's gif encoder (palette RGB8), via temp file + move. */
    static void writeGif(Path target, List<RgbFrame> frames, double fps) throws IOException {
        if (frames.isEmpty()) throw new IllegalArgumentException("no frames to write to " + target);
        int w = frames.getFirst().width(), h = frames.getFirst().height();
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part.gif");
        boolean done = false;
        try {
            try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(tmp.toFile(), w, h, 0)) {
                r.setFormat("gif");
                r.setVideoCodec(avcodec.AV_CODEC_ID_GIF);
                r.setPixelFormat(avutil.AV_PIX_FMT_RGB8);
                r.setFrameRate(fps);
                r.setOption("loop", "0");
                r.start();
                for (RgbFrame f : frames) {
                    r.recordImage(w, h, Frame.DEPTH_UBYTE, 3, 3 * w, avutil.AV_PIX_FMT_RGB24, ByteBuffer.wrap(f.rgb()).slice());
                }
                r.stop();
            } catch (org.bytedeco.javacv.FrameRecorder.Exception e) {
                throw new IOException(target + ": GIF encoding failed: " + e.getMessage(), e);
            }
            AtomicFiles.moveIntoPlace(tmp, target);
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }
}

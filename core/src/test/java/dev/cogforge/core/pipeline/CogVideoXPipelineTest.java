package dev.cogforge.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.data.FrameSampling;
import dev.cogforge.core.data.ImageFiles;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.VideoInfo;
import dev.cogforge.core.data.VideoReader;
import dev.cogforge.core.io.ModelFolder;

/** End-to-end sampling on tiny random models: files, determinism, cancellation, LoRA, image-to-video. */
class CogVideoXPipelineTest {
    @TempDir
    static Path shared;
    static Path t2v;

    @BeforeAll
    static void buildModel() throws IOException {
        t2v = TinyModels.create(shared.resolve("t2v"), "transformer-2b-t2v");
    }

    private static SampleRequest request(Path out, long seed) {
        return SampleRequest.of("a red cube spins", out).withSize(9, 32, 32).withSampling(2, 6.0, false, seed, "dpm");
    }

    private static SampleResult generate(Path model, SampleRequest r) throws IOException {
        try (CogVideoXPipeline p = CogVideoXPipeline.open(ModelFolder.resolve(model.toString()), CogVideoXPipeline.Options.lowMemory())) {
            return p.generate(r, null, null);
        }
    }

    private static List<byte[]> pngBytes(SampleResult r) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (Path p : r.pngFrames()) out.add(Files.readAllBytes(p));
        return out;
    }

    private static void assertSameFrames(List<byte[]> a, List<byte[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "frame " + i);
    }

    private static boolean sameFrames(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!java.util.Arrays.equals(a.get(i), b.get(i))) return false;
        return true;
    }

    @Test
    void textToVideoWritesAnMp4ThatReadsBackAndTheSameSeedRepeatsIt(@TempDir Path tmp) throws Exception {
        SampleRequest r = request(tmp.resolve("a.mp4"), 42).withOutput(tmp.resolve("a.mp4"), 0, tmp.resolve("frames-a"), true);
        List<String> stages = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        SampleResult a;
        try (CogVideoXPipeline p = CogVideoXPipeline.open(ModelFolder.resolve(t2v.toString()), CogVideoXPipeline.Options.defaults())) {
            a = p.generate(r, new SampleListener() {
                @Override
                public void stage(Stage stage, String detail) {
                    stages.add(stage.name());
                }

                @Override
                public void step(int index, int total, long timestep, double seconds) {
                    steps.add(index);
                }
            }, null);
            // the kept transformer serves a second call with the same seed: same frames
            SampleResult again = p.generate(r.withOutput(tmp.resolve("b.mp4"), 0, tmp.resolve("frames-b"), false), null, null);
            assertSameFrames(pngBytes(a), pngBytes(again));
            assertArrayEquals(Files.readAllBytes(a.video()), Files.readAllBytes(again.video()), "same seed, same mp4 bytes");
        }
        assertEquals(List.of(0, 1), steps);
        assertTrue(stages.containsAll(List.of("ENCODING_PROMPT", "LOADING_TRANSFORMER", "DENOISING", "DECODING", "WRITING", "DONE")), stages.toString());

        VideoInfo info = VideoReader.probe(a.video());
        assertEquals(32, info.width());
        assertEquals(32, info.height());
        assertEquals(8.0, info.fps(), 1e-6, "CogVideoX 1.0 default frame rate");
        assertEquals(9, VideoReader.countFrames(a.video()));
        assertEquals(9, a.frames());
        assertEquals(info.codec(), a.codec());
        System.out.println("tiny t2v mp4 codec: " + a.codec() + ", " + a.secondsPerStep() + " s/step");
        assertEquals(9, VideoReader.read(a.video(), new FrameSampling.All()).size());
        assertEquals(9, a.pngFrames().size());
        assertTrue(Files.size(a.gif()) > 0);
        assertEquals(9, VideoReader.countFrames(a.gif()));

        SampleResult other = generate(t2v, request(tmp.resolve("c.mp4"), 43).withOutput(tmp.resolve("c.mp4"), 12, tmp.resolve("frames-c"), false));
        assertFalse(sameFrames(pngBytes(a), pngBytes(other)), "another seed gives another video");
        assertEquals(12.0, VideoReader.probe(other.video()).fps(), 1e-6, "fps override");
    }

    @Test
    void cancellingDuringDenoisingWritesNothing(@TempDir Path tmp) throws Exception {
        CancellationToken token = new CancellationToken();
        Path out = tmp.resolve("cancelled.mp4");
        try (CogVideoXPipeline p = CogVideoXPipeline.open(ModelFolder.resolve(t2v.toString()), CogVideoXPipeline.Options.defaults())) {
            assertThrows(CancellationException.class, () -> p.generate(request(out, 1).withOutput(out, 0, tmp.resolve("frames"), true),
                    new SampleListener() {
                        @Override
                        public void step(int index, int total, long timestep, double seconds) {
                            token.cancel();
                        }
                    }, token));
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(), files.toList(), "no file or temp file left behind");
        }
    }

    @Test
    void loraAtWeightZeroEqualsNoLoraAndDiffusersAndOwnLorasApply(@TempDir Path tmp) throws Exception {
        Path diffusersLora = TinyModels.fixture("lora-train-step").resolve("lora_diffusers.safetensors");
        Path ownLora = TinyModels.ownLora(t2v, tmp.resolve("own.safetensors"), Map.of());
        List<byte[]> none = pngBytes(generate(t2v, request(tmp.resolve("none.mp4"), 5).withOutput(tmp.resolve("none.mp4"), 0, tmp.resolve("f0"), false)));
        List<byte[]> zero = pngBytes(generate(t2v, request(tmp.resolve("zero.mp4"), 5).withOutput(tmp.resolve("zero.mp4"), 0, tmp.resolve("f1"), false)
                .withLoras(List.of(new LoraSpec(diffusersLora, 0.0), new LoraSpec(ownLora, 0.0)))));
        assertSameFrames(none, zero);
        List<byte[]> both = pngBytes(generate(t2v, request(tmp.resolve("both.mp4"), 5).withOutput(tmp.resolve("both.mp4"), 0, tmp.resolve("f2"), false)
                .withLoras(List.of(new LoraSpec(diffusersLora, 1.0), LoraSpec.parse(ownLora + ":0.8")))));
        assertFalse(sameFrames(none, both), "active LoRAs change the video");
    }

    @Test
    void imageToVideoOnA15ModelPadsLatentFramesAndUses16Fps(@TempDir Path tmp) throws Exception {
        Path model = TinyModels.create(tmp.resolve("i2v15"), "transformer-1.5-i2v");
        Path image = tmp.resolve("first.png");
        RgbFrame frame = RgbFrame.blank(40, 24);
        for (int y = 0; y < 24; y++) for (int x = 0; x < 40; x++) frame.set(x, y, x * 6, y * 10, 128);
        ImageFiles.writePng(image, frame);
        SampleRequest r = request(tmp.resolve("i2v.mp4"), 3).withImage(image);
        SampleResult a = generate(model, r);
        assertEquals(9, VideoReader.countFrames(a.video()));
        assertEquals(16.0, VideoReader.probe(a.video()).fps(), 1e-6, "CogVideoX 1.5 default frame rate");
        assertEquals(32, a.width());
        SampleResult b = generate(model, r.withOutput(tmp.resolve("i2v-b.mp4"), 0, null, false));
        assertArrayEquals(Files.readAllBytes(a.video()), Files.readAllBytes(b.video()));
        assertThrows(IllegalArgumentException.class, () -> generate(model, request(tmp.resolve("x.mp4"), 3)), "I2V needs an image");
    }

    @Test
    void learnedPositionsAreDroppedForOtherSizesWhenTheLoraSaysSo(@TempDir Path tmp) throws Exception {
        Path model = TinyModels.create(tmp.resolve("i2v5b"), "transformer-5b-i2v");
        Path image = tmp.resolve("first.png");
        ImageFiles.writePng(image, RgbFrame.blank(48, 32));
        SampleRequest wide = request(tmp.resolve("wide.mp4"), 3).withImage(image).withSize(9, 32, 48);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> generate(model, wide));
        assertTrue(e.getMessage().contains("learned positional embedding"), e.getMessage());
        Path plain = TinyModels.ownLora(model, tmp.resolve("plain.safetensors"), Map.of());
        assertThrows(IllegalArgumentException.class, () -> generate(model, wide.withLoras(List.of(new LoraSpec(plain, 1.0)))));
        Path multiRes = TinyModels.ownLora(model, tmp.resolve("multi.safetensors"),
                Map.of(CogVideoXPipeline.IGNORE_LEARNED_POSITIONS_KEY, "true"));
        SampleResult r = generate(model, wide.withLoras(List.of(new LoraSpec(multiRes, 1.0))));
        assertEquals(48, VideoReader.probe(r.video()).width());
        // at the trained size the learned table is still used
        generate(model, wide.withSize(9, 32, 32).withOutput(tmp.resolve("native.mp4"), 0, null, false));
    }
}

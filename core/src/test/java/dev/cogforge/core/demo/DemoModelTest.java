package dev.cogforge.core.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.data.EncoderProvider;
import dev.cogforge.core.data.PromptEncoder;
import dev.cogforge.core.data.SyntheticClips;
import dev.cogforge.core.data.VideoEncoder;
import dev.cogforge.core.data.VideoReader;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.t5.T5Encoder;
import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;
import dev.cogforge.core.schedulers.SchedulerConfig;
import dev.cogforge.core.train.config.RunConfig;
import dev.cogforge.core.train.config.RunConfigValidator;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The demo folder with a 2-step VAE pre-training (the real recipe's 240 steps take minutes): complete, loadable by
 * the real model classes with strict key matching, byte-identical when built twice, and usable by the encoder
 * provider.
 */
class DemoModelTest {
    static final VaePretrainer.Settings QUICK = DemoModel.VAE_PRETRAINING.quick(2, 1);

    @TempDir
    static Path cache;
    static Path model;

    @BeforeAll
    static void build() throws IOException {
        model = DemoModel.ensure(cache, QUICK, System.out::println);
    }

    @Test
    void folderIsCompleteAndLoadsStrictly() throws IOException {
        ModelFolder folder = ModelFolder.resolve(model.toString());
        folder.requireParts(ModelFolder.PIPELINE);
        assertTrue(DemoModel.isComplete(model));
        assertEquals("CogVideoXPipeline", dev.cogforge.core.io.ConfigJson.MAPPER.readTree(model.resolve("model_index.json").toFile())
                .path("_class_name").asText());
        assertTrue(Files.isRegularFile(model.resolve("tokenizer/special_tokens_map.json")));

        try (AutoencoderKLCogVideoX vae = AutoencoderKLCogVideoX.load(model.resolve("vae"), ScalarType.Float, null)) {
            assertEquals(4, vae.config().spatialCompressionRatio());
            assertEquals(DemoModel.LATENT_CHANNELS, vae.config().latentChannels());
        }
        try (CogVideoXTransformer3D t = CogVideoXTransformer3D.fromConfig(model.resolve("transformer/config.json"));
             SafetensorsFile f = SafetensorsFile.open(model.resolve("transformer/diffusion_pytorch_model.safetensors"))) {
            t.load(f, null);
            assertEquals(DemoModel.LATENT_CHANNELS, t.config().inChannels());
            assertEquals(DemoModel.TEXT_DIM, t.config().textEmbedDim());
            assertEquals(226, t.config().maxTextSeqLength());
            assertTrue(t.config().usesSincosPositions());
        }
        try (SafetensorsFile f = SafetensorsFile.open(model.resolve("text_encoder/model.safetensors"));
             T5Encoder t5 = T5Encoder.open(model.resolve("text_encoder/config.json"), f, model.resolve("tokenizer"),
                     ScalarType.Float, null)) {
            assertEquals(DemoModel.TOKENIZER_PIECES + 100, t5.tokenizer().vocabSize());
            assertTrue(t5.tokenizer().vocabSize() <= t5.config().vocabSize());
            // a real vocabulary: the caption words are whole pieces, not characters
            assertTrue(t5.tokenizer().tokenIds("A red circle moves from left to right across a white background.").length < 25);
        }
        SchedulerConfig s = SchedulerConfig.read(model.resolve("scheduler/scheduler_config.json"));
        assertEquals("v_prediction", s.predictionType());
    }

    @Test
    void ensureIsIdempotentAndBuildsAreByteIdentical(@TempDir Path other) throws IOException {
        long before = Files.getLastModifiedTime(model.resolve(DemoModel.MARKER)).toMillis();
        assertEquals(model, DemoModel.ensure(cache, QUICK, null));
        assertEquals(before, Files.getLastModifiedTime(model.resolve(DemoModel.MARKER)).toMillis());

        Path second = DemoModel.ensure(other, QUICK, null);
        Map<String, byte[]> a = contents(model);
        Map<String, byte[]> b = contents(second);
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) assertArrayEquals(a.get(name), b.get(name), name + " differs between two builds");
        try (Stream<Path> leftovers = Files.list(other)) {
            assertEquals(List.of(second), leftovers.toList(), "no temp folders left behind");
        }
    }

    @Test
    void encoderProviderEncodesClipsAndCaptions() throws Exception {
        EncoderProvider provider = EncoderProvider.find().orElseThrow();
        assertInstanceOf(RealEncoderProvider.class, provider);
        VideoEncoder video = provider.videoEncoder(model.toString());
        PromptEncoder text = provider.promptEncoder(model.toString());
        try (AutoCloseable v = (AutoCloseable) video; AutoCloseable t = (AutoCloseable) text; PointerScope scope = new PointerScope()) {
            List<SyntheticClips.Clip> clips = SyntheticClips.catalogue();
            Tensor first = null;
            for (SyntheticClips.Clip clip : List.of(clips.get(0), clips.get(5))) {
                Tensor moments = video.encode(VideoReader.toTensor(SyntheticClips.frames(clip)));
                assertArrayEquals(new long[] {2L * DemoModel.LATENT_CHANNELS, 5, 12, 20}, Tensors.shape(moments));
                Tensor embeds = text.encode(clip.caption());
                assertArrayEquals(new long[] {226, DemoModel.TEXT_DIM}, Tensors.shape(embeds));
                if (first == null) {
                    first = embeds;
                } else {
                    assertTrue(first.sub(embeds).abs().max().item_double() > 1e-3, "different captions encode differently");
                }
            }
            assertTrue(video.revision().startsWith("vae-moments:"));
            assertNotEquals(video.revision(), text.revision());
        }
    }

    @Test
    void runConfigIsValidAndMatchesTheSampleClips(@TempDir Path out) {
        RunConfig c = DemoModel.runConfig(model, cache.resolve("dataset"), out);
        var problems = RunConfigValidator.validate(c);
        assertTrue(problems.errors().isEmpty(), problems.toString());
        assertEquals(List.of(SyntheticClips.HEIGHT), c.heightBuckets);
        assertEquals(List.of(SyntheticClips.FRAMES), c.frameBuckets);
        assertEquals("full", c.trainingType);
        assertEquals(2, c.validationPrompts().size());
        for (String p : c.validationPrompts()) {
            assertTrue(SyntheticClips.catalogue().stream().anyMatch(clip -> clip.caption().equals(p)), p);
        }
    }

    private static Map<String, byte[]> contents(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) out.put(root.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }
}

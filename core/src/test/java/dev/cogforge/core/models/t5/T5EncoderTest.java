package dev.cogforge.core.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.nn.StateDictException;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class T5EncoderTest {
    private static Path caseDir;

    /** The first T5 fixture case (data-driven, so a held-out set with other sizes works the same). */
    @BeforeAll
    static void findCase() throws IOException {
        T5CaseKind kind = new T5CaseKind();
        for (Path dir : FixtureRunner.caseDirs(FixtureRunner.configuredRoot())) {
            try (FixtureCase c = FixtureCase.open(dir)) {
                if (kind.accepts(c)) {
                    caseDir = dir;
                    return;
                }
            }
        }
        throw new IllegalStateException("no t5 fixture case under " + FixtureRunner.configuredRoot());
    }

    private static T5Config config() throws IOException {
        return T5Config.read(caseDir.resolve("config.json"));
    }

    /** Copies the case's weights into a new file, leaving out {@code drop} and adding {@code extra}. */
    private static Path rewrite(Path dir, String drop, String extraName, long[] extraShape) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile src = SafetensorsFile.open(caseDir.resolve("weights.safetensors"));
             PointerScope scope = new PointerScope()) {
            for (String n : src.names()) if (!n.equals(drop)) w.add(n, src.load(n, ScalarType.Float));
            if (extraName != null) {
                long n = 1;
                for (long d : extraShape) n *= d;
                w.addFloats(extraName, new float[(int) n], extraShape);
            }
            Path out = dir.resolve("weights-" + drop.hashCode() + (extraName == null ? "" : "-extra") + ".safetensors");
            w.write(out);
            return out;
        }
    }

    private static float[] run(T5Encoder encoder, ScalarType dtype) throws IOException {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard();
             SafetensorsFile inputs = SafetensorsFile.open(caseDir.resolve("inputs.safetensors"))) {
            return Tensors.toFloats(encoder.forward(inputs.load("input_ids", ScalarType.Long)));
        }
    }

    private static float[] reference() throws IOException {
        try (SafetensorsFile out = SafetensorsFile.open(caseDir.resolve("outputs.safetensors"))) {
            return out.readFloats("last_hidden_state");
        }
    }

    private static void assertClose(float[] expected, float[] got, double atol) {
        assertEquals(expected.length, got.length);
        for (int i = 0; i < got.length; i++) {
            assertTrue(Math.abs(expected[i] - got[i]) <= atol, "index " + i + ": " + got[i] + " vs " + expected[i]);
        }
    }

    @Test
    void eitherNameOfTheTiedEmbeddingLoads(@TempDir Path dir) throws IOException {
        float[] ref = reference();
        for (String drop : List.of(T5Encoder.EMBED_TOKENS_KEY, T5Encoder.SHARED_KEY)) {
            try (T5Encoder encoder = new T5Encoder(config());
                 SafetensorsFile weights = SafetensorsFile.open(rewrite(dir, drop, null, null))) {
                encoder.load(weights, ScalarType.Float, null);
                assertClose(ref, run(encoder, ScalarType.Float), 5e-5);
            }
        }
    }

    @Test
    void loadingIsStrict(@TempDir Path dir) throws IOException {
        try (T5Encoder encoder = new T5Encoder(config());
             SafetensorsFile weights = SafetensorsFile.open(rewrite(dir, "encoder.final_layer_norm.weight",
                     "encoder.block.0.layer.0.SelfAttention.bogus.weight", new long[] {2}))) {
            StateDictException e = assertThrows(StateDictException.class, () -> encoder.load(weights, ScalarType.Float, null));
            assertTrue(e.getMessage().contains("encoder.final_layer_norm.weight"), e.getMessage());
            assertTrue(e.getMessage().contains("bogus"), e.getMessage());
        }
        T5Config c = config();
        try (T5Encoder encoder = new T5Encoder(c);
             SafetensorsFile weights = SafetensorsFile.open(rewrite(dir, T5Encoder.EMBED_TOKENS_KEY,
                     T5Encoder.EMBED_TOKENS_KEY, new long[] {c.vocabSize() + 1, c.dModel()}))) {
            IOException e = assertThrows(IOException.class, () -> encoder.load(weights, ScalarType.Float, null));
            assertTrue(e.getMessage().contains("tied"), e.getMessage());
        }
    }

    @Test
    void float16IsRejectedAndBfloat16Runs() throws IOException {
        try (T5Encoder encoder = new T5Encoder(config());
             SafetensorsFile weights = SafetensorsFile.open(caseDir.resolve("weights.safetensors"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> encoder.load(weights, ScalarType.Half, null));
            assertTrue(e.getMessage().contains("float16"), e.getMessage());
            encoder.load(weights, ScalarType.BFloat16, null);
            float[] ref = reference();
            float[] got = run(encoder, ScalarType.BFloat16);
            double maxRef = 0, maxErr = 0;
            for (int i = 0; i < ref.length; i++) {
                maxRef = Math.max(maxRef, Math.abs(ref[i]));
                maxErr = Math.max(maxErr, Math.abs(ref[i] - got[i]));
            }
            // bf16 keeps ~3 significant digits; a wrong norm/softmax dtype path would be far off
            assertTrue(maxErr < 0.05 * maxRef, "bf16 max error " + maxErr + " for outputs up to " + maxRef);
        }
    }

    @Test
    void openReadsConfigWeightsAndTokenizerFolder() throws Exception {
        Path tokenizerDir = Path.of(T5EncoderTest.class.getResource("/t5-tokenizer/spiece.model").toURI()).getParent();
        try (SafetensorsFile weights = SafetensorsFile.open(caseDir.resolve("weights.safetensors"));
             T5Encoder encoder = T5Encoder.open(caseDir.resolve("config.json"), weights, tokenizerDir, ScalarType.Float, null)) {
            assertClose(reference(), run(encoder, ScalarType.Float), 5e-5);
            assertEquals(226, encoder.tokenizer().maxLength());
        }
    }

    @Test
    void outOfRangeIdsAreReported() throws IOException {
        T5Config c = config();
        try (T5Encoder encoder = new T5Encoder(c);
             SafetensorsFile weights = SafetensorsFile.open(caseDir.resolve("weights.safetensors"));
             PointerScope scope = new PointerScope()) {
            encoder.load(weights, ScalarType.Float, null);
            Tensor ids = Tensors.fromLongs(new long[] {1, c.vocabSize()}, 1, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encoder.forward(ids));
            assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        }
    }

    @Test
    void encodePromptsTokenizesLikeThePipelineAndBatches() throws Exception {
        Path model = Path.of(T5EncoderTest.class.getResource("/t5-tokenizer/spiece.model").toURI());
        T5Config c = new T5Config(16, 8, 24, 2, 2, 8, 16, 1e-6, 320, "gated-gelu", "gelu_new");
        try (T5Encoder encoder = new T5Encoder(c).withTokenizer(T5Tokenizer.fromModel(model, 100, 20));
             PointerScope scope = new PointerScope()) {
            encoder.initializeRandom(7, 0.2);
            Tensor both = encoder.encodePrompts(List.of("A panda plays guitar.", ""));
            assertArrayEquals(new long[] {2, 20, 16}, Tensors.shape(both));
            float[] batched = Tensors.toFloats(both);
            Tensor single = encoder.encodePrompts(List.of(""));
            float[] alone = Tensors.toFloats(single);
            float[] second = java.util.Arrays.copyOfRange(batched, 20 * 16, 2 * 20 * 16);
            assertClose(alone, second, 1e-5);
            try (NoGradGuard g = new NoGradGuard()) {
                long[] ids = encoder.tokenizer().encode("A panda plays guitar.");
                float[] manual = Tensors.toFloats(encoder.forward(Tensors.fromLongs(ids, 1, ids.length)));
                assertClose(manual, java.util.Arrays.copyOfRange(batched, 0, 20 * 16), 1e-5);
            }
        }
    }
}

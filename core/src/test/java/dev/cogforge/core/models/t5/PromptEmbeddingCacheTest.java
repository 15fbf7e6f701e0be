package dev.cogforge.core.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import dev.cogforge.core.engine.Tensors;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptEmbeddingCacheTest {
    private static final long SEQ = 4, DIM = 3;

    /** A stand-in encoder whose output identifies the prompt (row value = prompt length + position) and logs calls. */
    private static Function<List<String>, Tensor> countingEncoder(List<List<String>> calls) {
        return prompts -> {
            calls.add(List.copyOf(prompts));
            float[] v = new float[(int) (prompts.size() * SEQ * DIM)];
            for (int p = 0; p < prompts.size(); p++) {
                for (int i = 0; i < SEQ * DIM; i++) v[(int) (p * SEQ * DIM + i)] = prompts.get(p).length() + i / 100f;
            }
            return Tensors.fromFloats(v, prompts.size(), SEQ, DIM);
        };
    }

    private static float[] row(float[] all, int b) {
        return java.util.Arrays.copyOfRange(all, (int) (b * SEQ * DIM), (int) ((b + 1) * SEQ * DIM));
    }

    @Test
    void promptsAreEncodedOnceAndReadBackInOrder(@TempDir Path dir) throws Exception {
        PromptEmbeddingCache cache = new PromptEmbeddingCache(dir);
        List<List<String>> calls = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            float[] first = Tensors.toFloats(cache.getOrEncode("tok", "model", List.of("a cat", "a dog!", "a cat"),
                    countingEncoder(calls), ScalarType.Float));
            assertEquals(List.of(List.of("a cat", "a dog!")), calls);
            assertArrayEquals(row(first, 0), row(first, 2));
            Tensor again = cache.getOrEncode("tok", "model", List.of("a dog!", "a cat", "new one"),
                    countingEncoder(calls), ScalarType.Float);
            assertArrayEquals(new long[] {3, SEQ, DIM}, Tensors.shape(again));
            assertEquals(List.of("new one"), calls.get(1));
            float[] second = Tensors.toFloats(again);
            assertArrayEquals(row(first, 1), row(second, 0));
            assertArrayEquals(row(first, 0), row(second, 1));
            assertEquals(7f, row(second, 2)[0]);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            assertEquals(3, all.size(), all.toString());
            assertTrue(all.stream().allMatch(p -> p.toString().endsWith(".safetensors")), "no temp files left: " + all);
        }
    }

    @Test
    void anyKeyPartChangesTheEntry(@TempDir Path dir) throws Exception {
        PromptEmbeddingCache cache = new PromptEmbeddingCache(dir);
        try (PointerScope scope = new PointerScope()) {
            cache.store("tok", "model", "a cat", Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Tensors.toFloats(cache.load("tok", "model", "a cat", ScalarType.Float)));
            assertNull(cache.load("tok2", "model", "a cat", ScalarType.Float));
            assertNull(cache.load("tok", "model2", "a cat", ScalarType.Float));
            assertNull(cache.load("tok", "model", "a cat ", ScalarType.Float));
            assertEquals(ScalarType.BFloat16, cache.load("tok", "model", "a cat", ScalarType.BFloat16).scalar_type().intern());
        }
        assertNotEquals(PromptEmbeddingCache.key("ab", "c", "p"), PromptEmbeddingCache.key("a", "bc", "p"));
    }

    @Test
    void corruptEntriesAreRecomputed(@TempDir Path dir) throws Exception {
        PromptEmbeddingCache cache = new PromptEmbeddingCache(dir);
        Path file = cache.fileFor("tok", "model", "a cat");
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[] {1, 2, 3});
        List<List<String>> calls = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            cache.getOrEncode("tok", "model", List.of("a cat"), countingEncoder(calls), ScalarType.Float);
            assertEquals(1, calls.size());
            assertTrue(cache.load("tok", "model", "a cat", ScalarType.Float) != null);
        }
    }

    @Test
    void worksWithTheRealEncoderAndTokenizer(@TempDir Path dir) throws Exception {
        Path model = Path.of(getClass().getResource("/t5-tokenizer/spiece.model").toURI());
        T5Config c = new T5Config(16, 8, 24, 1, 2, 8, 16, 1e-6, 320, "gated-gelu", null);
        PromptEmbeddingCache cache = new PromptEmbeddingCache(dir);
        try (T5Encoder encoder = new T5Encoder(c).withTokenizer(T5Tokenizer.fromModel(model, 100, 12));
             PointerScope scope = new PointerScope()) {
            encoder.initializeRandom(3, 0.2);
            float[] fresh = Tensors.toFloats(cache.getOrEncode(encoder, "rev-1", List.of("A panda"), ScalarType.Float));
            float[] cached = Tensors.toFloats(cache.load(encoder.tokenizer().fingerprint(), "rev-1", "A panda", ScalarType.Float));
            assertArrayEquals(fresh, cached);
            assertEquals(12 * 16, cached.length);
        }
    }

    @Test
    void fileFingerprintFollowsContent(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a.safetensors"), "one");
        Path b = Files.writeString(dir.resolve("b.json"), "two");
        String f1 = PromptEmbeddingCache.fingerprintFiles(List.of(a, b));
        assertEquals(f1, PromptEmbeddingCache.fingerprintFiles(List.of(b, a)));
        Files.writeString(b, "twO");
        assertNotEquals(f1, PromptEmbeddingCache.fingerprintFiles(List.of(a, b)));
    }
}

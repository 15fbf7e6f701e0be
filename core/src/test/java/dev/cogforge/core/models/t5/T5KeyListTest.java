package dev.cogforge.core.models.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.io.ConfigJson;

import org.junit.jupiter.api.Test;

/**
 * The XXL encoder built from the key list's config declares exactly the official checkpoint's names and shapes
 * (with {@code encoder.embed_tokens.weight} as the tied alias of {@code shared.weight}) without allocating anything.
 */
class T5KeyListTest {
    @Test
    void xxlEncoderDeclaresTheOfficialKeysWithoutAllocating() throws Exception {
        Path file = FixtureRunner.configuredRoot().resolve("keys/t5-v1_1-xxl-encoder.json");
        JsonNode list = new ObjectMapper().readTree(file.toFile());
        T5Config config = ConfigJson.read(list.get("config").toString(), T5Config.class, file.toString());
        try (T5Encoder encoder = new T5Encoder(config)) {
            Map<String, long[]> expected = new TreeMap<>();
            list.get("keys").properties().forEach(e -> {
                long[] shape = new long[e.getValue().size()];
                for (int i = 0; i < shape.length; i++) shape[i] = e.getValue().get(i).asLong();
                expected.put(e.getKey(), shape);
            });
            Map<String, long[]> declared = new TreeMap<>(encoder.checkpointKeys());
            assertEquals(expected.keySet(), declared.keySet());
            expected.forEach((k, shape) -> assertArrayEquals(shape, declared.get(k), k));
            assertEquals(expected.size(), declared.size());
            // the tied embedding is one tensor: counted once, as num_parameters does
            assertEquals(list.get("num_parameters").asLong(), encoder.parameterCount());
            assertEquals(expected.size() - 1, encoder.stateDict().size());
            assertTrue(encoder.stateDict().containsKey(T5Encoder.SHARED_KEY));
            assertFalse(encoder.stateDict().containsKey(T5Encoder.EMBED_TOKENS_KEY));
            assertTrue(encoder.namedParameters().values().stream().noneMatch(p -> p.isSet()),
                    "building the model must not allocate weights");
        }
    }
}

package dev.cogforge.core.models.cogvideox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.nn.Parameter;

/** Full-size models are declared without allocating and match the official key lists exactly. */
class TransformerKeysTest {
    @Test
    void everyOfficialTransformerKeyListMatches() throws Exception {
        Path keys = FixtureRunner.configuredRoot().resolve("keys");
        assertTrue(Files.isDirectory(keys), keys + " missing");
        List<Path> files;
        try (Stream<Path> s = Files.list(keys)) {
            files = s.filter(p -> p.getFileName().toString().endsWith("-transformer.json")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no *-transformer.json under " + keys);
        ObjectMapper json = new ObjectMapper();
        for (Path f : files) {
            JsonNode root = json.readTree(f.toFile());
            TransformerConfig config = TransformerConfig.parse(json.writeValueAsString(root.get("config")), f.toString());
            try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(config)) {
                Map<String, List<Long>> got = new LinkedHashMap<>();
                for (Map.Entry<String, Parameter> e : model.stateDict().entrySet()) {
                    assertFalse(e.getValue().isSet(), e.getKey() + " was allocated at construction");
                    got.put(e.getKey(), Arrays.stream(e.getValue().shape()).boxed().toList());
                }
                Map<String, List<Long>> expected = new LinkedHashMap<>();
                root.get("keys").fields().forEachRemaining(e -> {
                    List<Long> shape = new java.util.ArrayList<>();
                    e.getValue().forEach(d -> shape.add(d.asLong()));
                    expected.put(e.getKey(), shape);
                });
                assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(got), f.getFileName() + ": names/shapes");
                assertEquals(root.get("num_parameters").asLong(), model.parameterCount(), f.getFileName() + ": parameter count");
                System.out.printf("%-45s %,d parameters, %d tensors%n", f.getFileName(), model.parameterCount(), got.size());
            }
        }
    }
}

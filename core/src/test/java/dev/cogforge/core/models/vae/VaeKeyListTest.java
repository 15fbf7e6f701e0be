package dev.cogforge.core.models.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.io.ConfigJson;
import dev.cogforge.core.nn.Parameter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaeKeyListTest {
    @Test
    void officialConfigDeclaresExactlyTheOfficialKeysWithoutAllocating() throws Exception {
        Path file = FixtureRunner.configuredRoot().resolve("keys/cogvideox-vae.json");
        assertTrue(Files.isRegularFile(file), file + " missing");
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        VaeConfig config = ConfigJson.read(root.get("config").toString(), VaeConfig.class, file.toString());
        try (AutoencoderKLCogVideoX vae = new AutoencoderKLCogVideoX(config)) {
            Map<String, Parameter> declared = vae.stateDict();
            Map<String, long[]> expected = new TreeMap<>();
            root.get("keys").properties().forEach(e -> {
                long[] shape = new long[e.getValue().size()];
                for (int i = 0; i < shape.length; i++) shape[i] = e.getValue().get(i).asLong();
                expected.put(e.getKey(), shape);
            });
            TreeSet<String> missing = new TreeSet<>(expected.keySet());
            missing.removeAll(declared.keySet());
            TreeSet<String> extra = new TreeSet<>(declared.keySet());
            extra.removeAll(expected.keySet());
            assertTrue(missing.isEmpty(), "not declared: " + missing);
            assertTrue(extra.isEmpty(), "not in the official list: " + extra);
            expected.forEach((k, shape) -> assertArrayEquals(shape, declared.get(k).shape(), k));
            assertEquals(root.get("num_parameters").asLong(), vae.parameterCount());
            assertFalse(declared.values().stream().anyMatch(Parameter::isSet), "building must not allocate weights");
        }
    }

    @Test
    void configReadsDiffusersKeysAndRejectsWhatItCannotBuild(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("config.json");
        Files.writeString(good, "{\"_class_name\":\"AutoencoderKLCogVideoX\",\"scaling_factor\":0.7,\"invert_scale_latents\":true,"
                + "\"temporal_compression_ratio\":4,\"latents_mean\":null}");
        VaeConfig c = VaeConfig.read(good);
        assertEquals(0.7, c.scalingFactor());
        assertTrue(c.invertScaleLatents());
        assertEquals(16, c.latentChannels());
        assertEquals(8, c.spatialCompressionRatio());
        assertEquals(2, c.temporalCompressLevel());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"down_block_types\":[\"DownEncoderBlock2D\"],\"block_out_channels\":[64]}");
        var e = assertThrows(java.io.IOException.class, () -> VaeConfig.read(bad));
        assertTrue(e.getMessage().contains("DownEncoderBlock2D"), e.getMessage());
    }
}

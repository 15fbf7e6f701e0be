package dev.cogforge.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.cogforge.core.engine.Tensors;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {
    @TempDir
    Path dir;

    private static float[] ramp(int n, float offset) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = offset + i;
        return v;
    }

    private ShardedCheckpointWriter fiveTensors(long maxShard) {
        ShardedCheckpointWriter w = new ShardedCheckpointWriter("diffusion_pytorch_model", maxShard).metadata("format", "pt");
        for (int i = 0; i < 5; i++) w.add("blocks." + i + ".weight", Tensors.fromFloats(ramp(10, i * 100), 2, 5));
        return w;
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesShardsAndIndexThatReadBack() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Path written = fiveTensors(100).write(dir);
            assertEquals("diffusion_pytorch_model.safetensors.index.json", written.getFileName().toString());
            assertEquals(List.of("diffusion_pytorch_model-00001-of-00003.safetensors",
                    "diffusion_pytorch_model-00002-of-00003.safetensors", "diffusion_pytorch_model-00003-of-00003.safetensors",
                    "diffusion_pytorch_model.safetensors.index.json"), files());
            try (TensorSource src = Checkpoints.open(dir)) {
                ShardedCheckpoint ckpt = assertInstanceOf(ShardedCheckpoint.class, src);
                assertEquals("200", ckpt.metadata().get("total_size"));
                assertEquals(5, ckpt.names().size());
                ckpt.validate();
                for (int i = 0; i < 5; i++) {
                    Tensor t = ckpt.load("blocks." + i + ".weight", ScalarType.Float);
                    assertArrayEquals(ramp(10, i * 100), Tensors.toFloats(t));
                    assertArrayEquals(new long[] {2, 5}, ckpt.info("blocks." + i + ".weight").shape());
                }
                assertEquals("diffusion_pytorch_model-00002-of-00003.safetensors", ckpt.shardOf("blocks.2.weight"));
                assertEquals("pt", ckpt.shard(ckpt.shardOf("blocks.0.weight")).metadata().get("format"));
            }
        }
    }

    @Test
    void rewritingSwitchesLayoutAndRemovesTheOldOne() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            fiveTensors(100).write(dir);
            Path single = fiveTensors(1 << 20).write(dir);
            assertEquals(List.of("diffusion_pytorch_model.safetensors"), files());
            try (TensorSource src = Checkpoints.open(dir)) {
                assertInstanceOf(SafetensorsFile.class, src);
                assertEquals(single, ((SafetensorsFile) src).path());
            }
            fiveTensors(40).write(dir);
            assertEquals(6, files().size(), files().toString());
            assertFalse(files().contains("diffusion_pytorch_model.safetensors"));
            fiveTensors(100).write(dir);
            assertEquals(4, files().size(), "stale shards of the 5-shard layout remain: " + files());
            try (TensorSource src = Checkpoints.open(dir)) {
                ((ShardedCheckpoint) src).validate();
            }
        }
    }

    @Test
    void aTensorLargerThanTheLimitGetsItsOwnShard() {
        try (PointerScope scope = new PointerScope()) {
            ShardedCheckpointWriter w = new ShardedCheckpointWriter("model", 16)
                    .add("small", Tensors.fromFloats(ramp(2, 0), 2))
                    .add("big", Tensors.fromFloats(ramp(100, 0), 100))
                    .add("small2", Tensors.fromFloats(ramp(2, 0), 2));
            assertEquals(List.of(List.of("small"), List.of("big"), List.of("small2")), w.plan());
        }
    }

    private void writeShard(String name, Map<String, float[]> tensors) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        tensors.forEach((n, v) -> w.addFloats(n, v, v.length));
        w.write(dir.resolve(name));
    }

    private Path index(String weightMapJson) throws IOException {
        Path p = dir.resolve("model.safetensors.index.json");
        Files.writeString(p, "{\"metadata\":{\"total_size\":8},\"weight_map\":" + weightMapJson + "}");
        return p;
    }

    @Test
    void aTensorTheShardLacksIsNamedWithTheShard() throws Exception {
        writeShard("a.safetensors", Map.of("x", new float[] {1}));
        Path idx = index("{\"x\":\"a.safetensors\",\"y\":\"a.safetensors\"}");
        try (ShardedCheckpoint c = ShardedCheckpoint.open(idx)) {
            var e = assertThrows(SafetensorsException.class, () -> c.load("x", ScalarType.Float));
            assertTrue(e.getMessage().contains("a.safetensors") && e.getMessage().contains("'y'"), e.getMessage());
        }
    }

    @Test
    void aTensorInTwoShardsIsRefused() throws Exception {
        writeShard("a.safetensors", Map.of("x", new float[] {1}, "y", new float[] {2}));
        writeShard("b.safetensors", Map.of("y", new float[] {3}));
        Path idx = index("{\"x\":\"a.safetensors\",\"y\":\"b.safetensors\"}");
        try (ShardedCheckpoint c = ShardedCheckpoint.open(idx)) {
            var e = assertThrows(SafetensorsException.class, c::validate);
            assertTrue(e.getMessage().contains("two shards") && e.getMessage().contains("'y'")
                    && e.getMessage().contains("b.safetensors"), e.getMessage());
        }
    }

    @Test
    void missingShardsAreListedTogether() throws Exception {
        writeShard("a.safetensors", Map.of("x", new float[] {1}));
        Path idx = index("{\"x\":\"a.safetensors\",\"y\":\"b.safetensors\",\"z\":\"c.safetensors\"}");
        var e = assertThrows(SafetensorsException.class, () -> ShardedCheckpoint.open(idx));
        assertTrue(e.getMessage().contains("b.safetensors") && e.getMessage().contains("c.safetensors"), e.getMessage());
    }

    @Test
    void malformedIndexesAreRefused() throws Exception {
        var e = assertThrows(SafetensorsException.class, () -> ShardedCheckpoint.open(index("{\"x\":\"../evil.safetensors\"}")));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
        e = assertThrows(SafetensorsException.class, () -> ShardedCheckpoint.open(index("{\"x\":3}")));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        e = assertThrows(SafetensorsException.class, () -> ShardedCheckpoint.open(index("[]")));
        assertTrue(e.getMessage().contains("weight_map"), e.getMessage());
        Path bad = dir.resolve("bad.safetensors.index.json");
        Files.writeString(bad, "{\"weight_map\": {");
        e = assertThrows(SafetensorsException.class, () -> ShardedCheckpoint.open(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("JSON"), e.getMessage());
    }
}

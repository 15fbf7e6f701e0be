package dev.cogforge.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class CheckpointStoreTest {
    private static TrainingState state(long step) {
        return new TrainingState(step, 1, step % 7, 42, step, "adamw", Map.of("torch_cpu", "AAEC"));
    }

    private static CheckpointStore.Contents weights(String text) {
        return dir -> Files.writeString(dir.resolve(CheckpointStore.LORA_WEIGHTS), text);
    }

    @Test
    void savesRotatesAndResolvesLatest(@TempDir Path out) throws IOException {
        CheckpointStore store = new CheckpointStore(out, 2);
        store.save(state(100), weights("a"));
        store.save(state(200), weights("b"));
        store.save(state(300), weights("c"));
        assertEquals(List.of(200L, 300L), store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
        assertFalse(Files.exists(out.resolve("checkpoint-100")));
        CheckpointStore.Checkpoint latest = store.resolve("latest").orElseThrow();
        assertEquals(300, latest.step());
        TrainingState s = store.readState(latest.folder());
        assertEquals(state(300), s);
        assertEquals("c", Files.readString(latest.folder().resolve(CheckpointStore.LORA_WEIGHTS)));
        assertEquals(200, store.resolve("checkpoint-200").orElseThrow().step());
        assertEquals(200, store.resolve("/elsewhere/checkpoint-200".replace("/elsewhere", out.toString())).orElseThrow().step());
        assertThrows(IOException.class, () -> store.resolve("checkpoint-999"));
        assertTrue(new CheckpointStore(out.resolve("fresh"), null).resolve("latest").isEmpty());
        // re-saving the same step replaces it whole
        store.save(state(300), weights("c2"));
        assertEquals("c2", Files.readString(out.resolve("checkpoint-300").resolve(CheckpointStore.LORA_WEIGHTS)));
        assertEquals(2, store.list().size());
    }

    @Test
    void aCrashWhileSavingNeverLeavesACompleteLookingFolder(@TempDir Path out) throws IOException {
        CheckpointStore store = new CheckpointStore(out, null);
        store.save(state(100), weights("good"));
        IOException boom = assertThrows(IOException.class, () -> store.save(state(200), dir -> {
            Files.writeString(dir.resolve(CheckpointStore.LORA_WEIGHTS), "half");
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", boom.getMessage());
        assertFalse(Files.exists(out.resolve("checkpoint-200")));
        assertEquals(100, store.latest().orElseThrow().step());
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("checkpoint-100"), s.map(p -> p.getFileName().toString()).toList(), "temp folder removed");
        }
        // a save killed before its rename (temp left behind) and a hand-made folder without state are both ignored
        Path killed = Files.createDirectories(out.resolve(".checkpoint-300.12345"));
        Files.writeString(killed.resolve(CheckpointStore.STATE_FILE), "{}");
        Files.createDirectories(out.resolve("checkpoint-400"));
        assertEquals(100, store.latest().orElseThrow().step());
        store.save(state(500), weights("x"));
        assertFalse(Files.exists(killed), "stale temp folders are cleaned on the next save");
    }

    @Test
    void metricsWriterAppendsOneLinePerStep(@TempDir Path out) throws IOException {
        try (MetricsWriter w = new MetricsWriter(out)) {
            w.on(new TrainingEvent.Step(1, 0, 0.25, 1e-4, 0.5, 1.5, 0.66, 100, new TrainingEvent.Memory(1000, 2000, 8000)));
            w.on(new TrainingEvent.Warning(1, "ignored by the metrics file"));
            w.on(new TrainingEvent.Step(2, 0, Double.NaN, 1e-4, 0.5, 1.5, 0.66, 99, new TrainingEvent.Memory(1100, 2000, 8000)));
        }
        try (MetricsWriter w = new MetricsWriter(out)) {
            w.write(new TrainingEvent.Step(3, 0, 0.2, 1e-4, 0.4, 1.4, 0.7, 98, null));
        }
        List<String> lines = Files.readAllLines(out.resolve(MetricsWriter.FILE_NAME));
        assertEquals(3, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals(1, first.get("step").asLong());
        assertEquals(0.25, first.get("loss").asDouble());
        assertEquals(1e-4, first.get("lr").asDouble());
        assertEquals(0.5, first.get("grad_norm").asDouble());
        assertEquals(1.5, first.get("step_time_s").asDouble());
        assertEquals(1000, first.get("memory_bytes").asLong());
        assertEquals("NaN", new ObjectMapper().readTree(lines.get(1)).get("loss").asText());
        assertEquals(3, new ObjectMapper().readTree(lines.get(2)).get("step").asLong());
    }
}

package dev.cogforge.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class TrainingEventCodecTest {
    private static final TrainingEvent.Memory MEM = new TrainingEvent.Memory(340L << 20, 400L << 20, 8L << 30);

    private static List<TrainingEvent> oneOfEach() {
        MemoryEstimator.RunEstimate estimate = MemoryEstimator.estimateRun(new dev.cogforge.core.train.config.RunConfig(),
                ModelDimensions.cogVideoX2b(), "bf16", false);
        return List.of(
                new TrainingEvent.Started(30, 2, 123_456, 5, estimate),
                new TrainingEvent.Started(30, 2, 123_456, 0),
                new TrainingEvent.Step(7, 1, 0.125, 1e-4, Double.NaN, 0.25, 4.0, Double.POSITIVE_INFINITY, MEM),
                new TrainingEvent.Step(8, 1, 0.5, 1e-4, 0.3, 0.25, 4.0, 10, null),
                new TrainingEvent.RankMemory(7, List.of(MEM, new TrainingEvent.Memory(1, 2, 0))),
                new TrainingEvent.Batch(7, 1, List.of("clip a.mp4", "ü/\"quoted\"\nname")),
                new TrainingEvent.ValidationVideoReady(6, 0, "a goat, line one\nline two", Path.of("runs/x/validation/step-6/0.mp4")),
                new TrainingEvent.CheckpointSaved(6, Path.of("runs", "demo", "checkpoint-6").toAbsolutePath()),
                new TrainingEvent.Warning(3, "loss is NaN"),
                new TrainingEvent.Finished(30, Path.of("runs", "demo").toAbsolutePath(), 12.5, estimate, 300L << 20),
                new TrainingEvent.Finished(30, Path.of("runs", "demo").toAbsolutePath(), 12.5),
                new TrainingEvent.Failed(4, "out of memory", null),
                new TrainingEvent.Cancelled(9));
    }

    @Test
    void everyEventTypeSurvivesTheRoundTripOnOneLine() {
        Set<Class<?>> covered = new HashSet<>();
        for (TrainingEvent e : oneOfEach()) {
            String line = TrainingEventCodec.encode(e);
            assertTrue(line.startsWith(TrainingEventCodec.PREFIX), line);
            assertFalse(line.contains("\n") || line.contains("\r"), "one line: " + line);
            assertEquals(Optional.of(e), TrainingEventCodec.decode(line), line);
            covered.add(e.getClass());
        }
        assertEquals(Set.of(TrainingEvent.class.getPermittedSubclasses()), covered, "a round trip for every TrainingEvent type");
    }

    @Test
    void aFailureCarriesTheWorkersExceptionAsText() {
        IllegalStateException cause = new IllegalStateException("CUDA out of memory", new RuntimeException("inner"));
        TrainingEvent decoded = TrainingEventCodec.decode(TrainingEventCodec.encode(new TrainingEvent.Failed(4, "out of memory", cause))).orElseThrow();
        TrainingEvent.Failed f = assertInstanceOf(TrainingEvent.Failed.class, decoded);
        assertEquals(4, f.step());
        assertEquals("out of memory", f.message());
        TrainingEventCodec.WorkerException w = assertInstanceOf(TrainingEventCodec.WorkerException.class, f.cause());
        assertEquals(IllegalStateException.class.getName(), w.workerClass());
        assertEquals("CUDA out of memory", w.getMessage());
        assertTrue(w.workerStack().contains("Caused by: java.lang.RuntimeException: inner"), w.workerStack());
        // relayed twice (worker -> launcher -> another process) it keeps the original class
        TrainingEvent.Failed again = (TrainingEvent.Failed) TrainingEventCodec.decode(TrainingEventCodec.encode(f)).orElseThrow();
        assertEquals(IllegalStateException.class.getName(), ((TrainingEventCodec.WorkerException) again.cause()).workerClass());
    }

    @Test
    void ordinaryLinesAreNotEvents() {
        assertEquals(Optional.empty(), TrainingEventCodec.decode("12:00:01 INFO trainer - step 3"));
        assertEquals(Optional.empty(), TrainingEventCodec.decode(""));
        assertEquals(Optional.empty(), TrainingEventCodec.decode(" " + TrainingEventCodec.encode(new TrainingEvent.Cancelled(1))));
    }

    @Test
    void malformedEventLinesAreRefusedWithTheReasonAndTheLine() {
        String p = TrainingEventCodec.PREFIX;
        String cut = TrainingEventCodec.encode(new TrainingEvent.Warning(3, "disk almost full"));
        cut = cut.substring(0, cut.length() - 5);
        for (String bad : List.of(cut, p + "{\"type\":\"Exploded\",\"step\":1}", p + "{\"type\":\"Cancelled\"}",
                p + "{\"type\":\"Cancelled\",\"step\":\"soon\"}", p + "not json", p)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingEventCodec.decode(bad), bad);
            assertTrue(e.getMessage().startsWith("malformed training event line"), e.getMessage());
            System.out.println(e.getMessage());
        }
    }
}

package dev.cogforge.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.io.Checkpoints;
import dev.cogforge.core.io.TensorSource;
import dev.cogforge.core.lora.LoraFiles;
import dev.cogforge.core.lora.LoraLinear;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.train.config.RunConfig;

class TrainerTest {
    @TempDir
    static Path shared;
    static Path model;
    static Path data;

    @BeforeAll
    static void tinyModelAndData() throws Exception {
        model = TinyModelFolder.create(shared.resolve("model"), false);
        data = TinyModelFolder.dataset(shared.resolve("data"));
    }

    private static List<TrainingEvent> run(RunConfig c) {
        List<TrainingEvent> events = new CopyOnWriteArrayList<>();
        TrainingEvent end = Trainer.create(c, events::add).run();
        if (end instanceof TrainingEvent.Failed f && f.cause() != null) org.slf4j.LoggerFactory.getLogger("test.run").warn("run failed: {}", f.message(), f.cause());
        return events;
    }

    private static List<Double> losses(List<TrainingEvent> events) {
        List<Double> out = new ArrayList<>();
        for (TrainingEvent e : events) if (e instanceof TrainingEvent.Step s) out.add(s.loss());
        return out;
    }

    @Test
    void loraRunWritesMetricsRotatedCheckpointsAndALoadableLora(@TempDir Path out) throws Exception {
        RunConfig c = TinyModelFolder.config(model, data, out);
        c.checkpointingSteps = 1;
        c.checkpointsTotalLimit = 2;
        c.validationPrompt = "a red circle";
        c.validationSteps = 1;
        List<TrainingEvent> events = run(c);
        assertInstanceOf(TrainingEvent.Finished.class, events.getLast(), events.getLast().toString());
        List<Double> losses = losses(events);
        assertEquals(3, losses.size());
        losses.forEach(l -> assertTrue(Double.isFinite(l) && l > 0, "loss " + l));
        TrainingEvent.Step last = (TrainingEvent.Step) events.stream().filter(e -> e instanceof TrainingEvent.Step).reduce((a, b) -> b).orElseThrow();
        assertTrue(last.gradNorm() > 0 && last.itPerS() > 0 && last.memory().currentBytes() > 0);

        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(3, lines.size());
        var json = new ObjectMapper().readTree(lines.get(2));
        for (String k : List.of("step", "loss", "lr", "grad_norm", "step_time_s", "memory_bytes")) assertTrue(json.has(k), k);
        assertEquals(3, json.get("step").asLong());

        var checkpoints = new CheckpointStore(out, null).list();
        assertEquals(List.of(2L, 3L), checkpoints.stream().map(CheckpointStore.Checkpoint::step).toList());
        assertTrue(Files.isRegularFile(checkpoints.getLast().folder().resolve(CheckpointStore.LORA_WEIGHTS)));
        assertEquals(3, events.stream().filter(e -> e instanceof TrainingEvent.CheckpointSaved).count());
        // the sampling pipeline's renderer is registered, so every validation interval writes real videos
        List<TrainingEvent.ValidationVideoReady> videos = events.stream()
                .filter(e -> e instanceof TrainingEvent.ValidationVideoReady).map(e -> (TrainingEvent.ValidationVideoReady) e).toList();
        assertEquals(3, videos.stream().map(TrainingEvent.ValidationVideoReady::step).distinct().count(), videos.toString());
        for (TrainingEvent.ValidationVideoReady v : videos) assertTrue(Files.size(v.video()) > 0, v.video().toString());
        assertEquals(0, events.stream().filter(e -> e instanceof TrainingEvent.Warning w && w.message().equals(Trainer.NO_RENDERER_WARNING)).count());
        // the final test renders from the saved files (base weights + the LoRA file): the same videos as the last
        // in-memory validation at step 3, so what was saved is what was trained
        List<Path> finalTest = videos.stream().map(TrainingEvent.ValidationVideoReady::video)
                .filter(v -> v.getParent().getFileName().toString().equals(Trainer.FINAL_TEST_FOLDER)).toList();
        List<Path> step3 = videos.stream().map(TrainingEvent.ValidationVideoReady::video)
                .filter(v -> v.getParent().getFileName().toString().equals("step-3")).toList();
        assertEquals(step3.size(), finalTest.size(), videos.toString());
        assertFalse(finalTest.isEmpty());
        for (int i = 0; i < step3.size(); i++) {
            assertArrayEquals(Files.readAllBytes(step3.get(i)), Files.readAllBytes(finalTest.get(i)), finalTest.get(i).toString());
        }
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
        assertEquals(c.rank, RunConfig.load(out.resolve("config.json")).rank);

        // the memory estimate made before the start, and the measured peak next to it at the end and in summary.json
        TrainingEvent.Started started = (TrainingEvent.Started) events.stream().filter(e -> e instanceof TrainingEvent.Started).findFirst().orElseThrow();
        MemoryEstimator.RunEstimate estimate = started.memoryEstimate();
        assertNotNull(estimate);
        MemoryEstimator.Estimate parts = estimate.largestBucket();
        assertTrue(parts.transformerWeights() > 0 && parts.trainableParams() > 0 && parts.optimizerStates() > 0
                && parts.activations() > 0 && estimate.peakBytes() > 0, parts.describe());
        assertFalse(estimate.buckets().isEmpty());
        for (MemoryEstimator.BucketActivations b : estimate.buckets()) {
            assertTrue(b.withoutCheckpointing() > 0 && b.withCheckpointing() > 0, b.toString());
        }
        TrainingEvent.Finished finished = (TrainingEvent.Finished) events.getLast();
        assertEquals(estimate, finished.memoryEstimate());
        assertTrue(finished.measuredPeakBytes() > 0);
        var summary = new ObjectMapper().readTree(out.resolve(RunSummary.FILE_NAME).toFile()).get("memory");
        assertTrue(summary.get("estimated_peak_bytes").asLong() > 0 && summary.get("measured_peak_bytes").asLong() > 0, summary.toString());
        assertEquals(estimate.buckets().size(), summary.get("activations_by_bucket").size());

        try (CogVideoXTransformer3D t = CogVideoXTransformer3D.fromConfig(model.resolve("transformer/config.json"));
             TensorSource w = Checkpoints.open(model.resolve("transformer"))) {
            t.loadStateDict(w, ScalarType.Float, null);
            var layers = LoraFiles.load(out.resolve(CheckpointStore.LORA_WEIGHTS), t, "trained", 1.0);
            assertEquals(2 * 4, layers.size());
            LoraLinear any = layers.values().iterator().next();
            assertEquals(c.rank, any.adapter("trained").rank());
            assertEquals(c.loraAlpha, any.adapter("trained").alpha());
        }
    }

    @Test
    void resumeContinuesWithTheSameLossesAndCancelStopsAtAStepBoundary(@TempDir Path straight, @TempDir Path split) throws Exception {
        RunConfig c = TinyModelFolder.config(model, data, straight);
        c.maxTrainSteps = 4;
        c.gradientAccumulationSteps = 2;
        c.lrScheduler = "cosine_with_restarts";
        c.lrWarmupSteps = 1;
        List<Double> expected = losses(run(c));
        assertEquals(4, expected.size());

        RunConfig first = c.copy();
        first.outputDir = split.toString();
        List<TrainingEvent> events = new CopyOnWriteArrayList<>();
        Trainer[] trainer = new Trainer[1];
        trainer[0] = Trainer.create(first, e -> {
            events.add(e);
            if (e instanceof TrainingEvent.Step s && s.step() == 2) trainer[0].cancel(true);
        });
        TrainingEvent end = trainer[0].run();
        assertEquals(new TrainingEvent.Cancelled(2), end);
        assertEquals(expected.subList(0, 2), losses(events));
        assertEquals(2L, new CheckpointStore(split, null).latest().orElseThrow().step());

        RunConfig second = first.copy();
        second.resumeFromCheckpoint = "latest";
        List<TrainingEvent> resumed = run(second);
        assertInstanceOf(TrainingEvent.Finished.class, resumed.getLast(), resumed.getLast().toString());
        TrainingEvent.Started started = (TrainingEvent.Started) resumed.stream().filter(e -> e instanceof TrainingEvent.Started).findFirst().orElseThrow();
        assertEquals(2, started.resumedFromStep());
        List<Double> tail = losses(resumed);
        assertEquals(expected.subList(2, 4), tail, "resumed losses differ from the uninterrupted run");
        assertEquals(4, Files.readAllLines(split.resolve("metrics.jsonl")).size());
    }

    @Test
    void backgroundRunCancelsOnRequest(@TempDir Path out) throws Exception {
        RunConfig c = TinyModelFolder.config(model, data, out);
        c.maxTrainSteps = 1000;
        java.util.concurrent.CountDownLatch firstStep = new java.util.concurrent.CountDownLatch(1);
        TrainingHandle h = Trainer.start(c, e -> {
            if (e instanceof TrainingEvent.Step) firstStep.countDown();
        });
        assertTrue(firstStep.await(60, TimeUnit.SECONDS));
        h.cancel(false);
        TrainingEvent end = h.awaitEnd(60, TimeUnit.SECONDS);
        TrainingEvent.Cancelled cancelled = assertInstanceOf(TrainingEvent.Cancelled.class, end);
        assertTrue(cancelled.step() < 1000);
        assertFalse(h.isRunning());
        assertEquals(out.toAbsolutePath(), h.outputDir());
        assertTrue(new CheckpointStore(out, null).list().isEmpty());
    }

    @Test
    void fullFineTuneSavesADiffusersTransformerFolder(@TempDir Path out) throws Exception {
        RunConfig c = TinyModelFolder.config(model, data, out);
        c.trainingType = "full";
        c.maxTrainSteps = 2;
        c.gradientCheckpointing = true;
        c.validationPrompt = "a red circle";
        c.validationSteps = 2;
        List<TrainingEvent> events = run(c);
        assertInstanceOf(TrainingEvent.Finished.class, events.getLast(), events.getLast().toString());
        // final test from the saved transformer folder: identical to the in-memory validation of the last step
        List<Path> videos = events.stream().filter(e -> e instanceof TrainingEvent.ValidationVideoReady)
                .map(e -> ((TrainingEvent.ValidationVideoReady) e).video()).toList();
        assertEquals(2, videos.size(), videos.toString());
        assertEquals(Trainer.FINAL_TEST_FOLDER, videos.get(1).getParent().getFileName().toString());
        assertArrayEquals(Files.readAllBytes(videos.get(0)), Files.readAllBytes(videos.get(1)));
        Path dir = out.resolve(Trainer.FULL_OUTPUT_FOLDER);
        try (CogVideoXTransformer3D t = CogVideoXTransformer3D.fromConfig(dir.resolve("config.json"));
             TensorSource w = Checkpoints.open(dir)) {
            t.loadStateDict(w, ScalarType.Float, null);
            assertTrue(t.parameterCount() > 0);
        }
    }

    @Test
    void imageToVideoTrainsWithFirstFrameConditioning(@TempDir Path out) throws Exception {
        Path i2v = TinyModelFolder.create(out.resolve("i2v-model"), true);
        RunConfig c = TinyModelFolder.config(i2v, data, out.resolve("run"));
        c.task = "i2v";
        c.maxTrainSteps = 2;
        List<TrainingEvent> events = run(c);
        assertInstanceOf(TrainingEvent.Finished.class, events.getLast(), events.getLast().toString());
        assertEquals(2, losses(events).size());
        assertTrue(Files.list(out.resolve("run").resolve(Trainer.CACHE_FOLDER).resolve(TrainingData.FIRST_FRAMES)).count() > 0);
    }

    @Test
    void invalidConfigIsRefusedWithEveryProblem(@TempDir Path out) {
        RunConfig c = TinyModelFolder.config(model, data, out);
        c.frameBuckets = new ArrayList<>(List.of(10));
        c.rank = 0;
        TrainingEvent end = Trainer.create(c, e -> { }).run();
        TrainingEvent.Failed f = assertInstanceOf(TrainingEvent.Failed.class, end);
        assertTrue(f.message().contains("frame_buckets") && f.message().contains("rank"), f.message());
        assertNotNull(f.cause());
    }
}

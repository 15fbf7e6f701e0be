package dev.cogforge.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.dist.DistributedTimeouts;
import dev.cogforge.core.dist.Launcher;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.train.config.RunConfig;

/**
 * The real trainer, data-parallel on the CPU: one launch of two worker JVMs (Gloo over 127.0.0.1) runs, in one job,
 * a LoRA run and a full fine-tuning run with batch 1 per rank, then a long LoRA run whose rank 1 the test kills after
 * its second checkpoint. References run in this JVM as one process with batch 2.
 */
class DataParallelTrainerTest {
    static final int LORA_STEPS = 3;
    static final int FULL_STEPS = 2;
    static final double TOLERANCE = 1e-4;

    @TempDir
    static Path root;
    static Path model;
    static Path data;
    static Launcher.Result launch;
    static final List<String> lines = new CopyOnWriteArrayList<>();
    /** Worker lines by run folder name and rank ("lora-2x1" → rank → lines). */
    static final Map<String, Map<Integer, List<String>>> byRun = new java.util.concurrent.ConcurrentHashMap<>();
    static final String[] currentRun = new String[2];
    static final AtomicLong killedAtNanos = new AtomicLong();

    static RunConfig config(String name, String trainingType, int batch, int steps) {
        RunConfig c = TinyModelFolder.config(model, data, root.resolve(name));
        c.trainingType = trainingType;
        c.trainBatchSize = batch;
        c.maxTrainSteps = steps;
        return c;
    }

    /** The cache is content-addressed: a copy makes rank 0 of a new run find every clip encoded. */
    static void seedCache(Path from, String run) throws IOException {
        Path src = from.resolve(Trainer.CACHE_FOLDER);
        Path dst = root.resolve(run).resolve(Trainer.CACHE_FOLDER);
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.toList()) {
                Path target = dst.resolve(src.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
    }

    static TrainingEvent runHere(RunConfig c, List<TrainingEvent> events) {
        TrainingEvent end = Trainer.create(c, events::add).run();
        if (end instanceof TrainingEvent.Failed f && f.cause() != null) org.slf4j.LoggerFactory.getLogger("test.run").warn("run failed: {}", f.message(), f.cause());
        return end;
    }

    @BeforeAll
    static void referencesAndOneTwoRankLaunch() throws Exception {
        model = TinyModelFolder.create(root.resolve("model"), false);
        data = TinyModelFolder.dataset(root.resolve("data"));

        long t0 = System.nanoTime();
        assertInstanceOf(TrainingEvent.Finished.class, runHere(config("lora-1x2", "lora", 2, LORA_STEPS), new ArrayList<>()));
        assertInstanceOf(TrainingEvent.Finished.class, runHere(config("full-1x2", "full", 2, FULL_STEPS), new ArrayList<>()));
        System.out.printf("references (1 process x batch 2): %.1f s%n", (System.nanoTime() - t0) / 1e9);

        RunConfig lora = config("lora-2x1", "lora", 1, LORA_STEPS);
        lora.checkpointingSteps = 1;
        RunConfig full = config("full-2x1", "full", 1, FULL_STEPS);
        // both 2-rank runs overlap the all-reduce with a block-wise backward: LoRA through checkpointing (blocks
        // recomputed), full fine-tuning without it (the segmented backward that keeps the graphs)
        lora.gradientCheckpointing = true;
        full.gradientCheckpointing = false;
        RunConfig killed = config("killed", "lora", 1, 1000);
        killed.checkpointingSteps = 2;
        List<String> args = new ArrayList<>();
        for (RunConfig c : List.of(lora, full, killed)) {
            Path dir = Path.of(c.outputDir);
            seedCache(root.resolve("lora-1x2"), dir.getFileName().toString());
            c.save(dir.resolve("run.json"));
            args.add(dir.resolve("run.json").toString());
        }
        long[] pids = new long[2];
        String killAfter = "checkpoint: " + root.resolve("killed").toAbsolutePath().resolve("checkpoint-2");
        Launcher.Config cfg = Launcher.Config.of(2, TrainRankWorker.class.getName(), args)
                .withTimeouts(new DistributedTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMillis(500),
                        Duration.ofSeconds(15)), Duration.ofSeconds(90), Duration.ofSeconds(5))
                .withEnv(Map.of("COGFORGE_THREADS", "1"));
        t0 = System.nanoTime();
        launch = new Launcher(cfg, new Launcher.Listener() {
            @Override
            public void started(int rank, long pid) {
                pids[rank] = pid;
            }

            @Override
            public void line(int rank, String line) {
                lines.add("[rank " + rank + "] " + line);
                if (line.startsWith("run: ")) currentRun[rank] = line.substring(5);
                else if (currentRun[rank] != null) {
                    byRun.computeIfAbsent(currentRun[rank], k -> new java.util.concurrent.ConcurrentHashMap<>())
                            .computeIfAbsent(rank, k -> new CopyOnWriteArrayList<>()).add(line);
                }
                System.out.println("[rank " + rank + "] " + line);
                if (rank == 0 && line.equals(killAfter) && killedAtNanos.compareAndSet(0, System.nanoTime())) {
                    ProcessHandle.of(pids[1]).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }).run();
        System.out.printf("2-rank launch: %.1f s; %s%n", (System.nanoTime() - t0) / 1e9, launch.message());
    }

    static double maxAbsDiff(Path a, Path b, boolean requireMoved, Path initial) throws IOException {
        double max = 0;
        try (SafetensorsFile fa = SafetensorsFile.open(a); SafetensorsFile fb = SafetensorsFile.open(b)) {
            assertEquals(new HashSet<>(fa.names()), new HashSet<>(fb.names()), "same tensors in " + a + " and " + b);
            for (String name : fa.names()) {
                float[] x = fa.readFloats(name);
                float[] y = fb.readFloats(name);
                for (int i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        if (requireMoved && initial != null) {
            double moved = 0;
            try (SafetensorsFile fa = SafetensorsFile.open(a); SafetensorsFile f0 = SafetensorsFile.open(initial)) {
                for (String name : fa.names()) {
                    float[] x = fa.readFloats(name);
                    float[] y = f0.readFloats(name);
                    for (int i = 0; i < x.length; i++) moved = Math.max(moved, Math.abs(x[i] - y[i]));
                }
            }
            assertTrue(moved > 1e-4, "training moved the weights by only " + moved);
        }
        return max;
    }

    static List<String> linesOf(String run, int rank, String prefix) {
        return byRun.getOrDefault(run, Map.of()).getOrDefault(rank, List.of()).stream().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void loraTwoRanksOfBatchOneMatchOneProcessOfBatchTwo() throws Exception {
        Path two = root.resolve("lora-2x1").resolve(CheckpointStore.LORA_WEIGHTS);
        Path one = root.resolve("lora-1x2").resolve(CheckpointStore.LORA_WEIGHTS);
        assertTrue(Files.isRegularFile(two), "the 2-rank LoRA run wrote its weights\n" + String.join("\n", lines));
        double diff = maxAbsDiff(two, one, false, null);
        try (SafetensorsFile f = SafetensorsFile.open(two)) {
            double maxB = 0;
            for (String n : f.names()) if (n.contains("lora_B")) for (float v : f.readFloats(n)) maxB = Math.max(maxB, Math.abs(v));
            assertTrue(maxB > 1e-4, "LoRA B (zero at start) did not train: " + maxB);
        }
        System.out.printf("LoRA: max |2 ranks x batch 1 - 1 process x batch 2| = %.3g after %d steps%n", diff, LORA_STEPS);
        assertTrue(diff < TOLERANCE, "LoRA weights differ by " + diff);
        assertEquals(metricLosses(root.resolve("lora-1x2")).size(), metricLosses(root.resolve("lora-2x1")).size());
        List<Double> a = metricLosses(root.resolve("lora-1x2"));
        List<Double> b = metricLosses(root.resolve("lora-2x1"));
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-4 * Math.abs(a.get(i)), "mean loss of step " + (i + 1));
        assertTrue(linesOf("lora-2x1", 1, "checkpoint: ").isEmpty(), "rank 1 writes no checkpoints");
        assertEquals(LORA_STEPS, linesOf("lora-2x1", 0, "checkpoint: ").size(), "rank 0 writes each checkpoint once");
        assertEquals(LORA_STEPS, linesOf("lora-2x1", 1, "step ").size(), "rank 1 reports its steps on its own stdout");
        assertEquals(LORA_STEPS, linesOf("lora-2x1", 0, "memory ").stream().filter(l -> l.matches("memory \\d+: \\[\\d+, \\d+]")).count(),
                "rank 0 reports both ranks' memory every step");
    }

    @Test
    void fullFineTuningTwoRanksOfBatchOneMatchOneProcessOfBatchTwo() throws Exception {
        Path two = root.resolve("full-2x1").resolve(Trainer.FULL_OUTPUT_FOLDER).resolve("diffusion_pytorch_model.safetensors");
        Path one = root.resolve("full-1x2").resolve(Trainer.FULL_OUTPUT_FOLDER).resolve("diffusion_pytorch_model.safetensors");
        assertTrue(Files.isRegularFile(two), "the 2-rank full run wrote its transformer\n" + String.join("\n", lines));
        double diff = maxAbsDiff(two, one, true, model.resolve("transformer/diffusion_pytorch_model.safetensors"));
        System.out.printf("full: max |2 ranks x batch 1 - 1 process x batch 2| = %.3g after %d steps%n", diff, FULL_STEPS);
        assertTrue(diff < TOLERANCE, "full fine-tuning weights differ by " + diff);
    }

    @Test
    void killingOneWorkerStopsTheRunNamingItAndKeepsTheLastCheckpoint() throws Exception {
        assertTrue(killedAtNanos.get() != 0, "the killed run never reached checkpoint-2\n" + String.join("\n", lines));
        assertFalse(launch.succeeded());
        assertEquals(java.util.OptionalInt.of(1), launch.failedRank(), launch.message());
        assertTrue(launch.message().startsWith("rank 1 of 2 failed: was killed by SIGKILL"), launch.message());
        assertTrue(launch.exitCodes()[0] != 0, "rank 0 must not report success");
        Path run = root.resolve("killed");
        assertFalse(Files.exists(run.resolve(CheckpointStore.LORA_WEIGHTS)), "no final weights from a failed run");
        CheckpointStore.Checkpoint last = new CheckpointStore(run, null).latest().orElseThrow();
        assertTrue(last.step() >= 2, "last checkpoint " + last);
        TrainingState state = new CheckpointStore(run, null).readState(last.folder());
        assertEquals(last.step(), state.globalStep());
        try (SafetensorsFile f = SafetensorsFile.open(last.folder().resolve(CheckpointStore.LORA_WEIGHTS))) {
            assertFalse(f.names().isEmpty());
        }
    }

    /** 2 processes ran step 1 (two clips), checkpointed; 1 process resumes for steps 2 and 3 (the other two clips). */
    @Test
    void resumeWithOneProcessContinuesTheEpochWithoutRepeatingASample() throws Exception {
        Path from = root.resolve("lora-2x1").resolve("checkpoint-1");
        assertTrue(Files.isDirectory(from), "the 2-rank run saved checkpoint-1\n" + String.join("\n", lines));
        Path run = root.resolve("resume-1proc");
        seedCache(root.resolve("lora-1x2"), "resume-1proc");
        copyTree(from, run.resolve("checkpoint-1"));
        RunConfig c = config("resume-1proc", "lora", 1, LORA_STEPS);
        c.resumeFromCheckpoint = "latest";
        List<TrainingEvent> events = new CopyOnWriteArrayList<>();
        TrainingEvent end = runHere(c, events);
        assertEquals(LORA_STEPS, assertInstanceOf(TrainingEvent.Finished.class, end, end.toString()).steps());
        TrainingEvent.Started started = (TrainingEvent.Started) events.stream().filter(e -> e instanceof TrainingEvent.Started).findFirst().orElseThrow();
        assertEquals(1, started.resumedFromStep());
        List<TrainingEvent.Batch> resumed = events.stream().filter(e -> e instanceof TrainingEvent.Batch).map(e -> (TrainingEvent.Batch) e).toList();
        assertEquals(List.of(2L, 3L), resumed.stream().map(TrainingEvent.Batch::step).toList());

        List<String> epoch = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            for (String l : linesOf("lora-2x1", r, "batch 1 rank " + r + ": ")) epoch.addAll(List.of(l.substring(l.indexOf(": ") + 2).split("\\|")));
        }
        assertEquals(2, epoch.size(), "step 1 of the 2-rank run: one clip per rank");
        for (TrainingEvent.Batch b : resumed) epoch.addAll(b.samples());
        Set<String> distinct = new HashSet<>(epoch);
        assertEquals(epoch.size(), distinct.size(), "a clip was trained on twice within the epoch: " + epoch);
        try (Stream<String> clips = Files.lines(data.resolve("videos.txt"))) {
            assertEquals(clips.map(String::strip).filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toSet()), distinct,
                    "the epoch covers every clip once");
        }
    }

    static List<Double> metricLosses(Path run) throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<Double> out = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve(MetricsWriter.FILE_NAME))) out.add(json.readTree(l).get("loss").asDouble());
        return out;
    }

    static void copyTree(Path src, Path dst) throws IOException {
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.toList()) {
                Path target = dst.resolve(src.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
    }
}

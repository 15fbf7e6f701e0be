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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.dist.DistributedTimeouts;
import dev.cogforge.core.dist.Launcher;
import dev.cogforge.core.dist.ShardedOptimizer;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.TensorInfo;
import dev.cogforge.core.train.config.RunConfig;
import dev.cogforge.core.train.optim.AbstractOptimizer;

/**
 * ZeRO-1 on the real trainer (tiny model, full fine-tuning, AdamW): one launch of two worker JVMs runs a sharded run
 * from scratch and a sharded run resumed from an unsharded one-process checkpoint; then one process resumes from the
 * sharded checkpoint. References run in this JVM: 1 process × batch 2, and 1 process × batch 1 × 2 accumulation
 * steps (the same global batches in the same batch size as the 2-rank runs, so its checkpoints can be resumed by them).
 */
class ZeroShardingTrainerTest {
    static final int STEPS = 2;
    static final double TOLERANCE = 1e-4;
    static final String WEIGHTS = Trainer.FULL_OUTPUT_FOLDER + "/diffusion_pytorch_model.safetensors";

    @TempDir
    static Path root;
    static Path model;
    static Path data;
    static Launcher.Result launch;
    static final List<String> lines = new CopyOnWriteArrayList<>();

    static RunConfig config(String name, int batch, int accumulation, boolean sharded) {
        RunConfig c = TinyModelFolder.config(model, data, root.resolve(name));
        c.trainingType = "full";
        c.optimizer = "adamw";
        c.trainBatchSize = batch;
        c.gradientAccumulationSteps = accumulation;
        c.maxTrainSteps = STEPS;
        c.checkpointingSteps = 1;
        c.shardOptimizerState = sharded;
        return c;
    }

    static TrainingEvent runHere(RunConfig c) {
        return Trainer.create(c, e -> { }).run();
    }

    @BeforeAll
    static void referencesAndOneTwoRankLaunch() throws Exception {
        model = TinyModelFolder.create(root.resolve("model"), false);
        data = TinyModelFolder.dataset(root.resolve("data"));
        long t0 = System.nanoTime();
        assertInstanceOf(TrainingEvent.Finished.class, runHere(config("ref-1x2", 2, 1, false)));
        assertInstanceOf(TrainingEvent.Finished.class, runHere(config("ref-1x1x2", 1, 2, false)));
        System.out.printf("references (1 process): %.1f s%n", (System.nanoTime() - t0) / 1e9);

        RunConfig fresh = config("zero-2x1", 1, 1, true);
        RunConfig fromUnsharded = config("zero-from-unsharded", 1, 1, true);
        DataParallelTrainerTest.copyTree(root.resolve("ref-1x1x2").resolve("checkpoint-1"),
                root.resolve("zero-from-unsharded").resolve("checkpoint-1"));
        fromUnsharded.resumeFromCheckpoint = "latest";
        List<String> args = new ArrayList<>();
        for (RunConfig c : List.of(fresh, fromUnsharded)) {
            Path dir = Path.of(c.outputDir);
            copyCache(root.resolve("ref-1x2"), dir);
            c.save(dir.resolve("run.json"));
            args.add(dir.resolve("run.json").toString());
        }
        Launcher.Config cfg = Launcher.Config.of(2, TrainRankWorker.class.getName(), args)
                .withTimeouts(new DistributedTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMillis(500),
                        Duration.ofSeconds(15)), Duration.ofSeconds(90), Duration.ofSeconds(5))
                .withEnv(Map.of("COGFORGE_THREADS", "1"));
        t0 = System.nanoTime();
        launch = new Launcher(cfg, new Launcher.Listener() {
            @Override
            public void line(int rank, String line) {
                lines.add("[rank " + rank + "] " + line);
            }
        }).run();
        System.out.printf("2-rank launch: %.1f s; %s%n", (System.nanoTime() - t0) / 1e9, launch.message());
        lines.stream().filter(l -> l.contains("optimizer state on this rank")).forEach(System.out::println);
        assertTrue(launch.succeeded(), launch.message() + "\n" + String.join("\n", lines));
    }

    static void copyCache(Path fromRun, Path toRun) throws IOException {
        DataParallelTrainerTest.copyTree(fromRun.resolve(Trainer.CACHE_FOLDER), toRun.resolve(Trainer.CACHE_FOLDER));
    }

    static double diff(Path a, Path b) throws IOException {
        return DataParallelTrainerTest.maxAbsDiff(a, b, false, null);
    }

    static long tensorBytes(Path file) throws IOException {
        long n = 0;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorInfo i : f.tensors().values()) n += i.end() - i.begin();
        }
        return n;
    }

    @Test
    void shardedTwoRanksOfBatchOneMatchOneProcessOfBatchTwoWithHalfTheStateEach() throws Exception {
        Path zero = root.resolve("zero-2x1");
        double d = DataParallelTrainerTest.maxAbsDiff(zero.resolve(WEIGHTS), root.resolve("ref-1x2").resolve(WEIGHTS), true,
                model.resolve("transformer/diffusion_pytorch_model.safetensors"));
        System.out.printf("ZeRO-1 full: max |2 sharded ranks x batch 1 - 1 process x batch 2| = %.3g after %d steps%n", d, STEPS);
        assertTrue(d < TOLERANCE, "weights differ by " + d);

        Path ckpt = zero.resolve("checkpoint-" + STEPS);
        long unsharded = tensorBytes(root.resolve("ref-1x2").resolve("checkpoint-" + STEPS).resolve(AbstractOptimizer.STATE_TENSORS));
        long[] shard = new long[2];
        for (int r = 0; r < 2; r++) shard[r] = tensorBytes(ckpt.resolve(ShardedOptimizer.shardFileName(r, 2)));
        System.out.printf("optimizer state bytes: unsharded %d, rank 0 %d (%.1f %%), rank 1 %d (%.1f %%)%n", unsharded, shard[0],
                100.0 * shard[0] / unsharded, shard[1], 100.0 * shard[1] / unsharded);
        assertEquals(unsharded, shard[0] + shard[1], "the shards hold exactly the unsharded state");
        for (long s : shard) assertTrue(s > 0.4 * unsharded && s < 0.6 * unsharded, "each rank holds about half: " + s + " of " + unsharded);
        assertFalse(Files.exists(ckpt.resolve(AbstractOptimizer.STATE_TENSORS)));
        try (Stream<Path> left = Files.list(zero)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(Trainer.SHARD_STAGING_PREFIX)), "staging folders are removed");
        }
        for (int r = 0; r < 2; r++) {
            int rank = r;
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("[rank " + rank + "]") && l.contains("optimizer state on this rank: ")
                    && l.contains("(sharded over 2 ranks)")), "rank " + r + " logs its optimizer state once");
        }
    }

    @Test
    void unshardedOneProcessCheckpointResumesInShardedTwoRankRun() throws Exception {
        double d = diff(root.resolve("zero-from-unsharded").resolve(WEIGHTS), root.resolve("ref-1x1x2").resolve(WEIGHTS));
        System.out.printf("ZeRO-1 resume 1 process (unsharded ckpt-1) -> 2 sharded ranks: max diff to uninterrupted = %.3g%n", d);
        assertTrue(d < TOLERANCE, "weights differ by " + d);
        assertTrue(Files.isRegularFile(root.resolve("zero-from-unsharded").resolve("checkpoint-2").resolve(ShardedOptimizer.shardFileName(1, 2))));
    }

    @Test
    void shardedTwoRankCheckpointResumesInOneProcess() throws Exception {
        Path run = root.resolve("resume-1proc");
        DataParallelTrainerTest.copyTree(root.resolve("zero-2x1").resolve("checkpoint-1"), run.resolve("checkpoint-1"));
        copyCache(root.resolve("ref-1x2"), run);
        RunConfig c = config("resume-1proc", 1, 2, false);
        c.resumeFromCheckpoint = "latest";
        TrainingEvent end = runHere(c);
        assertEquals(STEPS, assertInstanceOf(TrainingEvent.Finished.class, end, end.toString()).steps());
        double d = diff(run.resolve(WEIGHTS), root.resolve("ref-1x1x2").resolve(WEIGHTS));
        System.out.printf("ZeRO-1 resume 2 sharded ranks (ckpt-1) -> 1 process: max diff to uninterrupted = %.3g%n", d);
        assertTrue(d < TOLERANCE, "weights differ by " + d);
    }
}

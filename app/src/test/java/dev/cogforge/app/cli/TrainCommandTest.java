package dev.cogforge.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.config.RunConfig;

class TrainCommandTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = CogforgeCommand.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void factoryFlagsOverrideASavedConfigAndUnknownOnesAreListed(@TempDir Path dir) throws Exception {
        RunConfig saved = RunConfig.defaults();
        saved.pretrainedModelNameOrPath = dir.resolve("no-such-model").toString();
        saved.dataRoot = dir.toString();
        saved.outputDir = dir.resolve("run").toString();
        saved.save(dir.resolve("run.json"));
        Run r = run("train", "--config", dir.resolve("run.json").toString(), "--rank", "8", "--lora_alpha", "8",
                "--frame_buckets", "17", "33", "--gradient_checkpointing", "--report_to", "wandb", "--bogus_flag", "1",
                "--nproc", "2");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("ignored: --report_to wandb"), r.err());
        assertTrue(r.err().contains("ignored: --bogus_flag 1 (unknown flag)"), r.err());
        assertTrue(!r.out().contains("launching"), "a bad config is refused before any worker starts: " + r.out());
        assertTrue(r.err().contains("error: ") && r.err().contains("no-such-model"), r.err());
    }

    @Test
    void invalidFlagsAreRefusedWithEveryProblem() {
        Run r = run("train", "--pretrained_model_name_or_path", "x", "--data_root", "y", "--frame_buckets", "10",
                "--rank", "0");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("frame_buckets") && r.err().contains("rank"), r.err());
    }

    @Test
    void aNodeRankOutsideTheNodeCountIsRefusedBeforeAnythingStarts() {
        Run r = run("train", "--nproc", "2", "--nnodes", "2", "--node_rank", "2", "--master_addr", "node0");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("--node_rank must be in 0..1 for --nnodes 2, got 2"), r.err());
    }

    @Test
    void progressBarShowsEveryRanksMemoryInADataParallelRun() {
        var p = new TrainCommand.Progress(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
        p.on(new TrainingEvent.Started(10, 1, 100, 0));
        p.on(new TrainingEvent.RankMemory(5, java.util.List.of(new TrainingEvent.Memory(340L << 20, 0, 0),
                new TrainingEvent.Memory(315L << 20, 0, 0))));
        String bar = p.bar(new TrainingEvent.Step(5, 0, 0.125, 1e-4, 0.5, 0.2, 5.0, 65, new TrainingEvent.Memory(340L << 20, 0, 0)));
        assertTrue(bar.endsWith("mem 340/315 MiB (per rank)"), bar);
    }

    @Test
    void progressBarShowsStepTotalLossSpeedAndEta() {
        var p = new TrainCommand.Progress(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);
        p.on(new TrainingEvent.Started(10, 1, 100, 0));
        String bar = p.bar(new TrainingEvent.Step(5, 0, 0.125, 1e-4, 0.5, 0.2, 5.0, 65, new TrainingEvent.Memory(1 << 20, 1 << 20, 0)));
        assertTrue(bar.startsWith("[###############...............] 5/10 loss 0.1250"), bar);
        assertTrue(bar.contains("5.00 it/s") && bar.contains("ETA 0:01:05"), bar);
    }

    @Test
    void finishedRunShowsTheEstimateNextToTheMeasuredPeak() {
        var m = dev.cogforge.core.train.ModelDimensions.cogVideoX2b();
        var c = new dev.cogforge.core.train.config.RunConfig();
        var estimate = dev.cogforge.core.train.MemoryEstimator.estimateRun(c, m, "bf16", false);
        String line = TrainCommand.memoryLine(new TrainingEvent.Finished(3, java.nio.file.Path.of("run"), 1.0, estimate, 300L << 20));
        assertTrue(line.matches("memory: estimated [0-9.]+ MiB, measured peak 300\\.0 MiB"), line);
        assertEquals("memory: estimated n/a, measured peak n/a", TrainCommand.memoryLine(new TrainingEvent.Finished(3, java.nio.file.Path.of("run"), 1.0)));
    }
}

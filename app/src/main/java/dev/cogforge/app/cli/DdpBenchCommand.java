package dev.cogforge.app.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.cogforge.core.dist.DistributedTimeouts;
import dev.cogforge.core.dist.Launcher;
import dev.cogforge.core.train.DdpOverlapWorker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Launches N local Gloo ranks ({@link DdpOverlapWorker}) that time optimizer steps of a random-weight transformer with
 * gradient checkpointing, alternating the overlapped all-reduce and the one after backward; rank 0 prints the medians.
 */
@Command(name = "ddp", mixinStandardHelpOptions = true,
        description = {"Data-parallel step time with and without overlapping the gradient all-reduce with backward",
                "(N CPU processes over Gloo on 127.0.0.1, gradient checkpointing, full fine-tuning by default)."})
public final class DdpBenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--nproc", defaultValue = "2") int nproc;
    @Option(names = "--threads", defaultValue = "1", description = "intra-op threads per process") int threads;
    @Option(names = "--layers", defaultValue = "8") int layers;
    @Option(names = "--heads", defaultValue = "8") int heads;
    @Option(names = "--head-dim", defaultValue = "64") int headDim;
    @Option(names = "--frames", defaultValue = "2", description = "latent frames") int frames;
    @Option(names = "--height", defaultValue = "16", description = "latent height") int height;
    @Option(names = "--width", defaultValue = "16", description = "latent width") int width;
    @Option(names = "--rank", defaultValue = "0", description = "LoRA rank; 0 = full fine-tune") int loraRank;
    @Option(names = "--accumulation", defaultValue = "1") int accumulation;
    @Option(names = "--steps", defaultValue = "5", description = "timed steps of each kind (after one warm-up each)") int steps;
    @Option(names = "--bucket-mb", defaultValue = "25", description = "all-reduce bucket size (DDP's default 25 MB)") double bucketMb;

    @Override
    public Integer call() throws Exception {
        if (nproc < 2) throw new IllegalArgumentException("--nproc must be at least 2 to have anything to all-reduce");
        if (steps < 1 || accumulation < 1 || threads < 1 || bucketMb <= 0) {
            throw new IllegalArgumentException("--steps, --accumulation, --threads and --bucket-mb must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String> args = List.of("bench", Integer.toString(layers), Integer.toString(heads), Integer.toString(headDim),
                Integer.toString(frames), Integer.toString(height), Integer.toString(width), Integer.toString(loraRank),
                Integer.toString(accumulation), Integer.toString(steps), Long.toString((long) (bucketMb * (1 << 20))));
        List<String> jvm = new ArrayList<>(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (jvm.stream().noneMatch(a -> a.startsWith("--enable-native-access"))) jvm.add("--enable-native-access=ALL-UNNAMED");
        Launcher.Config cfg = Launcher.Config.of(nproc, DdpOverlapWorker.class.getName(), args)
                .withJvmArgs(jvm)
                .withTimeouts(DistributedTimeouts.from(System.getenv()), Duration.ofMinutes(2), Duration.ofSeconds(10))
                .withEnv(Map.of("COGFORGE_THREADS", Integer.toString(threads), "OMP_NUM_THREADS", Integer.toString(threads)));
        out.printf("launching %d ranks (%d thread(s) each): %d layers, %d heads x %d, latents %d x %d x %d%n", nproc, threads,
                layers, heads, headDim, frames, height, width);
        out.flush();
        Launcher.Result r = new Launcher(cfg, Launcher.Listener.rankZeroPlain(out)).run();
        if (!r.succeeded()) {
            spec.commandLine().getErr().println("error: " + r.message());
            return r.exitCode();
        }
        return 0;
    }
}

package dev.cogforge.app.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.cogforge.core.data.SampleDataset;
import dev.cogforge.core.demo.DemoModel;
import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.dist.DistributedEnv;
import dev.cogforge.core.dist.Launcher;
import dev.cogforge.core.engine.MemorySnapshot;
import dev.cogforge.core.train.CheckpointStore;
import dev.cogforge.core.train.DistributedTraining;
import dev.cogforge.core.train.MetricsWriter;
import dev.cogforge.core.train.RunSummary;
import dev.cogforge.core.train.Trainer;
import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.TrainingEventCodec;
import dev.cogforge.core.train.TrainingHandle;
import dev.cogforge.core.train.config.FactoryFlags;
import dev.cogforge.core.train.config.RunConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code cogforge train}: the trainer on the command line. Takes cogvideox-factory's own flags (so a factory command
 * works after swapping the program name), {@code --config run.json} for a saved run, {@code --demo} for the tiny demo
 * model on the bundled sample dataset; explicit flags override either. Ctrl+C stops at the next step and saves a
 * checkpoint.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Fine-tune CogVideoX (LoRA or full) with cogvideox-factory's flags, e.g.",
                "  cogforge train --pretrained_model_name_or_path THUDM/CogVideoX-2b --data_root DIR --rank 64 ...",
                "  cogforge train --demo                (tiny model, bundled sample clips, CPU, offline)",
                "  cogforge train --config RUN/config.json --resume_from_checkpoint latest",
                "Unsupported factory flags are listed, never silently dropped."})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "RUN.json", description = "a saved run config (config.json of an earlier run)")
    Path configFile;

    @Option(names = "--demo", description = "the tiny demo model and the bundled sample dataset (flags still override)")
    boolean demo;

    @Option(names = "--nproc", paramLabel = "N", description = {"data-parallel training with N worker processes on this"
            + " machine (one per GPU; on the CPU the cores are split among them). Without it, RANK/WORLD_SIZE/MASTER_ADDR/"
            + "MASTER_PORT (torchrun, srun, Kubernetes) make this process one rank of a larger job."})
    Integer nproc;

    @Option(names = {"--nnodes"}, paramLabel = "M", defaultValue = "1", description = {"with --nproc: the job spans M machines,"
            + " each running this command with its own --node_rank (torchrun's multi-node mode); node 0 serves the"
            + " rendezvous store at --master_addr:--master_port"})
    int nnodes;

    @Option(names = {"--node_rank", "--node-rank"}, paramLabel = "K", defaultValue = "0",
            description = "this machine's index, 0..M-1 (its workers are global ranks K·N … K·N+N-1)")
    int nodeRank;

    @Option(names = {"--master_addr", "--master-addr"}, paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "with --nnodes > 1: node 0's address, reachable from every machine")
    String masterAddr;

    @Option(names = {"--master_port", "--master-port"}, paramLabel = "PORT", defaultValue = "29500",
            description = "with --nnodes > 1: the store's TCP port on node 0 (default 29500)")
    int masterPort;

    @Option(names = "--ddp_overlap", arity = "1", paramLabel = "true|false", description = {"with --nproc/several ranks:"
            + " all-reduce each block's gradients while backward continues (default true; run config key ddp_overlap)"})
    Boolean ddpOverlap;

    @Unmatched
    List<String> factoryFlags = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (nproc != null && nproc < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--nproc must be >= 1, got " + nproc);
        RunConfig base = configFile != null ? RunConfig.load(configFile) : demo ? demoConfig() : RunConfig.defaults();
        FactoryFlags.Result r = FactoryFlags.apply(base, factoryFlags);
        r.throwIfErrors();
        for (FactoryFlags.Ignored i : r.ignored()) err.println("ignored: " + i);
        for (String u : r.unresolved()) err.println("unresolved shell variable: " + u);
        for (String n : r.notes()) err.println("note: " + n);
        RunConfig config = r.config();
        if (ddpOverlap != null) config.ddpOverlap = ddpOverlap;
        err.flush();
        if (nnodes < 1 || nodeRank < 0 || nodeRank >= nnodes) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--node_rank must be in 0.." + (nnodes - 1)
                    + " for --nnodes " + nnodes + ", got " + nodeRank);
        }
        if (nnodes > 1) return launch(config, nproc == null ? 1 : nproc, new Nodes(nnodes, nodeRank, masterAddr, masterPort), out, err);
        if (nproc != null && nproc > 1) return launch(config, nproc, Nodes.SINGLE, out, err);
        // started by torchrun / srun / Kubernetes as one rank: only rank 0 shows progress and the summary
        boolean rankZero;
        try {
            rankZero = DistributedEnv.fromSystemEnv().isRankZero();
        } catch (IllegalArgumentException e) {
            rankZero = true; // the trainer reports the bad variable
        }
        return train(config, out, err, rankZero);
    }

    /**
     * Spawns {@code n} {@link TrainWorkerMain} JVMs through the launcher and supervises them. The config is checked
     * here first, so a mistake is reported once instead of by every rank.
     */
    /** Where this launcher's workers sit in a job over several machines. */
    record Nodes(int count, int rank, String masterAddr, int masterPort) {
        static final Nodes SINGLE = new Nodes(1, 0, "127.0.0.1", 0);
    }

    static int launch(RunConfig config, int n, Nodes nodes, PrintWriter out, PrintWriter err) throws Exception {
        try {
            Trainer.preflight(config);
        } catch (Exception e) {
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return 1;
        }
        Path runFile = Files.createTempFile("cogforge-run-", ".json");
        try {
            config.save(runFile);
            Launcher.Config cfg = TrainWorkerMain.launcherConfig(runFile, n, java.util.Map.of());
            if (nodes.count() > 1) {
                cfg = cfg.withNodes(nodes.count(), nodes.rank(), nodes.masterAddr(), nodes.masterPort());
                out.printf(Locale.ROOT, "node %d of %d: launching ranks %d..%d of %d (%d CPU thread(s) each); rendezvous store %s %s:%d%n",
                        nodes.rank(), nodes.count(), cfg.globalRank(0), cfg.globalRank(n - 1), cfg.worldSize(),
                        Math.max(1, Runtime.getRuntime().availableProcessors() / n), nodes.rank() == 0 ? "served at" : "at",
                        nodes.masterAddr(), nodes.masterPort());
            } else {
                out.printf(Locale.ROOT, "launching %d worker processes (%d CPU thread(s) each); rank 0's output follows, others as [rank k]%n",
                        n, Math.max(1, Runtime.getRuntime().availableProcessors() / n));
            }
            out.flush();
            Launcher.Result result = new Launcher(cfg, Launcher.Listener.rankZeroPlain(out)).run();
            if (result.succeeded()) return 0;
            if (result.failedRank().isEmpty() && java.util.Arrays.stream(result.exitCodes()).allMatch(c -> c == 130 || c == 0)) return 130;
            err.println("\nerror: " + result.message());
            Path dir = Path.of(config.outputDir == null ? "." : config.outputDir).toAbsolutePath();
            new CheckpointStore(dir, null).latest().ifPresent(c -> err.println("the last checkpoint is intact: " + c.folder()
                    + " (resume with --resume_from_checkpoint latest, with any number of processes)"));
            err.flush();
            return result.exitCode();
        } finally {
            Files.deleteIfExists(runFile);
        }
    }

    /** "memory: estimated X, measured peak Y" (the estimate made before the start next to what the run really used). */
    static String memoryLine(TrainingEvent.Finished f) {
        String estimated = f.memoryEstimate() == null ? "n/a" : MemorySnapshot.mib(f.memoryEstimate().peakBytes());
        String measured = f.measuredPeakBytes() > 0 ? MemorySnapshot.mib(f.measuredPeakBytes()) : "n/a";
        return "memory: estimated " + estimated + ", measured peak " + measured;
    }

    static int train(RunConfig config, PrintWriter out, PrintWriter err) throws InterruptedException {
        return train(config, out, err, true);
    }

    /**
     * @param report false for ranks other than 0 of a data-parallel job: rank 0 already shows the progress (with every
     *               rank's memory), so they print only warnings and errors
     */
    static int train(RunConfig config, PrintWriter out, PrintWriter err, boolean report) throws InterruptedException {
        TrainingEvent.Listener progress = report ? new Progress(out, err, System.console() != null) : e -> {
            if (e instanceof TrainingEvent.Warning w) {
                err.println("warning: " + w.message());
                err.flush();
            }
        };
        return train(config, out, err, report, progress, () -> true);
    }

    /**
     * One rank started by a launcher that reads {@link TrainingEventCodec} lines (the studio): rank 0 sends every
     * event, the others their warnings, failures and batches. Nothing else is printed to {@code out} by this method,
     * so the launcher sees events and log lines only. {@code saveOnStop} is asked when SIGTERM arrives.
     */
    static int trainEmittingEvents(RunConfig config, PrintWriter out, PrintWriter err, boolean rankZero,
            java.util.function.BooleanSupplier saveOnStop) throws InterruptedException {
        TrainingEvent.Listener emit = e -> {
            if (!rankZero && !(e instanceof TrainingEvent.Warning || e instanceof TrainingEvent.Failed || e instanceof TrainingEvent.Batch)) return;
            String line = TrainingEventCodec.encode(e);
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        };
        return train(config, out, err, false, emit, saveOnStop);
    }

    private static int train(RunConfig config, PrintWriter out, PrintWriter err, boolean report, TrainingEvent.Listener progress,
            java.util.function.BooleanSupplier saveOnStop) throws InterruptedException {
        TrainingHandle handle = Trainer.start(config, progress);
        Thread hook = new Thread(() -> {
            if (!handle.isRunning()) return;
            boolean save = saveOnStop.getAsBoolean();
            err.println(save ? "\ninterrupted: stopping at the next step and saving a checkpoint..." : "\nstopping at the next step without saving a checkpoint...");
            err.flush();
            handle.cancel(save);
            try {
                handle.awaitEnd(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cogforge-train-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        TrainingEvent end;
        do {
            end = handle.awaitEnd(1, TimeUnit.HOURS);
        } while (end == null);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is already running and waits for this same end
        }
        Path dir = handle.outputDir();
        if (!report) {
            if (end instanceof TrainingEvent.Failed f) err.println("error: " + f.message());
            err.flush();
            return DistributedTraining.exitCode(end);
        }
        return switch (end) {
            case TrainingEvent.Finished f -> {
                out.printf(Locale.ROOT, "%nfinished %d steps in %.1f s%n", f.steps(), f.totalTimeS());
                out.println(memoryLine(f));
                out.println("  run folder: " + dir);
                Path lora = dir.resolve(CheckpointStore.LORA_WEIGHTS);
                if (config.isLora()) out.println("  LoRA:       " + lora);
                else out.println("  model:      " + dir.resolve(Trainer.FULL_OUTPUT_FOLDER));
                out.println("  metrics:    " + dir.resolve(MetricsWriter.FILE_NAME));
                out.println("  config:     " + dir.resolve("config.json"));
                out.println("  summary:    " + dir.resolve(RunSummary.FILE_NAME));
                out.flush();
                yield 0;
            }
            case TrainingEvent.Cancelled c -> {
                out.printf(Locale.ROOT, "%ncancelled at step %d; run folder %s (resume with --config %s --resume_from_checkpoint latest)%n",
                        c.step(), dir, dir.resolve("config.json"));
                out.flush();
                yield 130;
            }
            case TrainingEvent.Failed f -> {
                err.println("\nerror: " + f.message());
                err.flush();
                yield DistributedTraining.exitCode(f);
            }
            default -> 1;
        };
    }

    /** The tiny demo model (built once into the cache, with progress on stderr) and the bundled sample dataset. */
    static RunConfig demoConfig() throws Exception {
        AppDirs dirs = AppDirs.current();
        Path modelDir = DemoModel.ensure(dirs.cache(), DemoModel.VAE_PRETRAINING, DemoModel.printingTo(System.err::println));
        Path datasetDir = dirs.cache().resolve("sample-datasets").resolve("shapes");
        Files.createDirectories(datasetDir);
        SampleDataset.ensureInstalled(datasetDir);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path outputDir = dirs.runs().resolve("demo-" + stamp);
        return DemoModel.runConfig(modelDir, datasetDir, outputDir);
    }

    /** Prints a one-line progress bar per step (redrawn in place on a terminal) and the run's other events. */
    static final class Progress implements TrainingEvent.Listener {
        private final PrintWriter out;
        private final PrintWriter err;
        private final boolean terminal;
        private long total = 1;
        private boolean midLine;
        private TrainingEvent.RankMemory ranks;

        Progress(PrintWriter out, PrintWriter err, boolean terminal) {
            this.out = out;
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public synchronized void on(TrainingEvent e) {
            switch (e) {
                case TrainingEvent.Started s -> {
                    total = Math.max(1, s.totalSteps());
                    out.printf(Locale.ROOT, "training: %d steps, %d epoch(s), %,d trainable parameters%s%n", s.totalSteps(), s.epochs(),
                            s.trainableParams(), s.resumedFromStep() > 0 ? ", resumed from step " + s.resumedFromStep() : "");
                    if (s.memoryEstimate() != null) out.println("memory estimate: " + s.memoryEstimate().describe());
                }
                case TrainingEvent.RankMemory m -> ranks = m;
                case TrainingEvent.Step s -> {
                    String line = bar(s);
                    if (terminal) {
                        out.print("\r" + line);
                        midLine = true;
                    } else {
                        out.println(line);
                    }
                }
                case TrainingEvent.CheckpointSaved c -> println(out, "checkpoint: " + c.folder());
                case TrainingEvent.ValidationVideoReady v -> println(out, (v.finalTest() ? "final test video from the saved weights: "
                        : "validation video (step " + v.step() + "): ") + v.video());
                case TrainingEvent.Warning w -> println(err, "warning: " + w.message());
                default -> { }
            }
            out.flush();
            err.flush();
        }

        private void println(PrintWriter w, String text) {
            if (midLine) out.println();
            midLine = false;
            w.println(text);
        }

        String bar(TrainingEvent.Step s) {
            int width = 30;
            int filled = (int) Math.min(width, s.step() * width / total);
            return String.format(Locale.ROOT, "[%s%s] %d/%d loss %.4f lr %.2e %.2f it/s ETA %s mem %s", "#".repeat(filled),
                    ".".repeat(width - filled), s.step(), total, s.loss(), s.lr(), s.itPerS(), eta(s.etaS()),
                    memory(s));
        }

        /** One figure, or one per rank (in rank order) in a data-parallel run. */
        private String memory(TrainingEvent.Step s) {
            if (ranks != null && ranks.step() == s.step()) {
                StringBuilder b = new StringBuilder();
                for (TrainingEvent.Memory m : ranks.perRank()) b.append(b.isEmpty() ? "" : "/").append(Math.round(m.currentBytes() / 1048576.0));
                return b + " MiB (per rank)";
            }
            return s.memory() == null ? "?" : String.format(Locale.ROOT, "%.0f MiB", s.memory().currentBytes() / 1048576.0);
        }

        static String eta(double seconds) {
            if (!Double.isFinite(seconds)) return "?";
            long t = Math.round(seconds);
            return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
        }
    }
}

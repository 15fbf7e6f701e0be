package dev.cogforge.app.studio.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.cogforge.app.cli.TrainWorkerMain;
import dev.cogforge.core.dist.Launcher;
import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Devices;
import dev.cogforge.core.io.AtomicFiles;
import dev.cogforge.core.train.CheckpointStore;
import dev.cogforge.core.train.Trainer;
import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.TrainingEventCodec;
import dev.cogforge.core.train.TrainingHandle;
import dev.cogforge.core.train.config.RunConfig;

/**
 * A data-parallel run of {@code processes} worker JVMs ({@link TrainWorkerMain}) under a {@link Launcher}, seen
 * through the same {@link TrainingHandle} and {@link TrainingEvent} stream as a run inside the studio. Rank 0's
 * events arrive as {@link TrainingEventCodec} lines and are handed on; other ranks' warnings are handed on with their
 * rank named. The terminal event is decided when the launcher returns, so a failure of any rank ends the stream with
 * a {@code Failed} naming that rank and the last intact checkpoint, even when rank 0 never saw it.
 */
public final class MultiProcessRun implements TrainingHandle {
    /** Per-rank facts that are not training events; called from launcher threads. */
    public interface Observer {
        default void started(int rank, long pid) {}

        /** A worker's output line that is not an event (its log). */
        default void line(int rank, String line) {}

        /** The launcher's verdict on the rank that failed first (once, before the terminal event). */
        default void failed(int rank, String reason) {}
    }

    private final RunConfig config;
    private final int processes;
    private final TrainingEvent.Listener events;
    private final Observer observer;
    private final Path runFile;
    private final Path stopModeFile;
    private final Launcher launcher;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile TrainingEvent terminal;
    private volatile TrainingEvent rankZeroEnd;
    private final Map<Integer, TrainingEvent.Failed> rankFailures = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long lastStep;
    private volatile Launcher.Result result;

    private MultiProcessRun(RunConfig config, int processes, Map<String, String> env, TrainingEvent.Listener events, Observer observer)
            throws IOException {
        this.config = config;
        this.processes = processes;
        this.events = events;
        this.observer = observer;
        runFile = Files.createTempFile("cogforge-run-", ".json");
        stopModeFile = Files.createTempFile("cogforge-stop-", ".txt");
        config.save(runFile);
        Map<String, String> all = new HashMap<>(env);
        all.put(TrainingEventCodec.EVENTS_ENV, "1");
        all.put(TrainWorkerMain.STOP_MODE_FILE_ENV, stopModeFile.toString());
        launcher = new Launcher(TrainWorkerMain.launcherConfig(runFile, processes, all), new Relay());
    }

    /**
     * Checks the config and model folder once here (as {@code cogforge train --nproc} does), then starts the workers on
     * their own thread. {@code device}: CPU, or the first of the GPUs; {@code gpus}: the CUDA device indices the ranks
     * use, rank k on {@code gpus[k]} (ignored on the CPU).
     */
    public static MultiProcessRun start(RunConfig config, int processes, ComputeDevice device, List<Integer> gpus,
            TrainingEvent.Listener events, Observer observer) throws Exception {
        if (processes < 2) throw new IllegalArgumentException("a multi-process run needs at least 2 processes, got " + processes);
        Trainer.preflight(config);
        MultiProcessRun run = new MultiProcessRun(config, processes, environment(device, gpus, processes), events, observer);
        Thread.ofPlatform().name("cogforge-multi-process-run").daemon().start(run::supervise);
        return run;
    }

    /** What makes rank k compute where the Settings page says: CPU only, or {@code cuda:LOCAL_RANK} among the chosen GPUs. */
    static Map<String, String> environment(ComputeDevice device, List<Integer> gpus, int processes) {
        Map<String, String> env = new HashMap<>();
        if (device == null || !device.isCuda()) {
            env.put(Devices.ENV, "cpu");
            // no visible GPU also makes the ranks pick Gloo instead of NCCL
            env.put("CUDA_VISIBLE_DEVICES", "");
            return env;
        }
        if (gpus.size() < processes) {
            throw new IllegalArgumentException(processes + " processes need " + processes + " GPUs, only " + gpus.size() + " chosen: " + gpus);
        }
        env.put("CUDA_VISIBLE_DEVICES", gpus.subList(0, processes).stream().map(String::valueOf).collect(Collectors.joining(",")));
        // indices are renumbered from 0 among the visible GPUs; the trainer then takes cuda:LOCAL_RANK
        env.put(Devices.ENV, "cuda:0");
        return env;
    }

    private void supervise() {
        TrainingEvent end;
        try {
            Launcher.Result r = launcher.run();
            result = r;
            end = endOf(r);
        } catch (IOException | RuntimeException e) {
            end = new TrainingEvent.Failed(lastStep, "could not start the worker processes: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(runFile);
                Files.deleteIfExists(stopModeFile);
            } catch (IOException e) {
                // temp files; the OS cleans them
            }
        }
        terminal = end;
        events.on(end);
        ended.countDown();
    }

    private TrainingEvent endOf(Launcher.Result r) {
        TrainingEvent rank0 = rankZeroEnd;
        if (r.succeeded()) {
            if (rank0 instanceof TrainingEvent.Finished) return rank0;
            return new TrainingEvent.Failed(lastStep, "all " + processes + " ranks exited normally but rank 0 did not report the end of the run", null);
        }
        if (r.failedRank().isEmpty() && (r.exitCode() == 130 || allCancelled(r))) {
            return rank0 instanceof TrainingEvent.Cancelled ? rank0 : new TrainingEvent.Cancelled(lastStep);
        }
        StringBuilder message = new StringBuilder(r.message());
        // only the blamed rank's own error explains the failure; the others report losing contact with it
        int blamed = r.failedRank().orElse(-1);
        TrainingEvent.Failed own = blamed == 0 && rank0 instanceof TrainingEvent.Failed f ? f : rankFailures.get(blamed);
        if (own != null) message.append(" — ").append(own.message());
        resumeHint().ifPresent(h -> message.append(". ").append(h));
        return new TrainingEvent.Failed(lastStep, message.toString(), own == null ? null : own.cause());
    }

    private static boolean allCancelled(Launcher.Result r) {
        for (int c : r.exitCodes()) if (c != 0 && c != 130) return false;
        return true;
    }

    /** "The last checkpoint is intact: …" when the run folder has one. */
    java.util.Optional<String> resumeHint() {
        try {
            return new CheckpointStore(outputDir(), null).latest().map(c -> "The last checkpoint is intact: " + c.folder()
                    + " (resume it from the list of past runs, with any number of processes)");
        } catch (IOException e) {
            return java.util.Optional.of("The run folder's checkpoints cannot be read: " + e.getMessage());
        }
    }

    private final class Relay implements Launcher.Listener {
        @Override
        public void started(int rank, long pid) {
            observer.started(rank, pid);
        }

        @Override
        public void line(int rank, String line) {
            TrainingEvent e;
            try {
                e = TrainingEventCodec.decode(line).orElse(null);
            } catch (IllegalArgumentException bad) {
                observer.line(rank, bad.getMessage());
                return;
            }
            if (e == null) {
                observer.line(rank, line);
                return;
            }
            if (rank == 0) fromRankZero(e);
            else fromOtherRank(rank, e);
        }

        @Override
        public void failed(int rank, String reason) {
            observer.failed(rank, reason);
        }
    }

    private void fromRankZero(TrainingEvent e) {
        switch (e) {
            case TrainingEvent.Step s -> {
                lastStep = s.step();
                events.on(s);
            }
            // held back: the launcher's result says how the job as a whole ended
            case TrainingEvent.Finished f -> rankZeroEnd = f;
            case TrainingEvent.Cancelled c -> rankZeroEnd = c;
            case TrainingEvent.Failed f -> rankZeroEnd = f;
            default -> events.on(e);
        }
    }

    private void fromOtherRank(int rank, TrainingEvent e) {
        switch (e) {
            case TrainingEvent.Warning w -> events.on(new TrainingEvent.Warning(w.step(), "rank " + rank + ": " + w.message()));
            case TrainingEvent.Failed f -> {
                rankFailures.putIfAbsent(rank, new TrainingEvent.Failed(f.step(), "rank " + rank + ": " + f.message(), f.cause()));
            }
            case TrainingEvent.Batch b -> observer.line(rank, "step " + b.step() + " trained on " + String.join(", ", b.samples()));
            default -> { }
        }
    }

    /** Stops every rank after its current step; with {@code saveCheckpoint} rank 0 writes a checkpoint first. */
    @Override
    public void cancel(boolean saveCheckpoint) {
        try {
            AtomicFiles.writeString(stopModeFile, saveCheckpoint ? "save" : TrainWorkerMain.DISCARD);
        } catch (IOException e) {
            // the workers then save, the safe default
        }
        launcher.requestStop(saveCheckpoint ? "stopped from the studio (saving a checkpoint)" : "stopped from the studio");
    }

    @Override
    public boolean isRunning() {
        return ended.getCount() > 0;
    }

    @Override
    public TrainingEvent awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit) ? terminal : null;
    }

    @Override
    public Path outputDir() {
        return Path.of(config.outputDir == null ? "." : config.outputDir).toAbsolutePath();
    }

    /** The launcher's report once the run has ended (null before). */
    public Launcher.Result result() {
        return result;
    }

    public OptionalInt failedRank() {
        Launcher.Result r = result;
        return r == null ? OptionalInt.empty() : r.failedRank();
    }

    int processes() {
        return processes;
    }
}

package dev.cogforge.app.studio.train;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cogforge.app.studio.settings.SettingsViewModel;
import dev.cogforge.core.train.MemoryEstimator;
import dev.cogforge.core.train.MetricsWriter;
import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.TrainingHandle;
import dev.cogforge.core.train.config.ConfigProblem;
import dev.cogforge.core.train.config.RunConfig;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Train page state: starts a run with the Settings page's config, shows its progress, keeps a log of notable events
 * and lists past runs (charts from {@code metrics.jsonl}, resume from the newest checkpoint). Trainer events are
 * coalesced by a {@link TrainingEventAdapter} flushed every {@link #FLUSH_PERIOD}. FX-thread methods except where noted.
 */
public final class TrainViewModel {
    public static final Duration FLUSH_PERIOD = Duration.ofMillis(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainingService service;
    private final SettingsViewModel settings;
    private final Executor background;
    private final Executor fx;
    private final TrainCharts charts = new TrainCharts();
    private final BooleanProperty running = new SimpleBooleanProperty(false);
    private final DoubleProperty progress = new SimpleDoubleProperty(0);
    private final StringProperty progressText = new SimpleStringProperty("");
    private final StringProperty status = new SimpleStringProperty("");
    private final StringProperty rankMemory = new SimpleStringProperty("");
    private final ObservableList<String> log = FXCollections.observableArrayList();
    private final ObjectProperty<Path> runDir = new SimpleObjectProperty<>();
    private final ObjectProperty<Path> runsDir = new SimpleObjectProperty<>();
    private final ObjectProperty<Path> lastValidationVideo = new SimpleObjectProperty<>();
    private final ObjectProperty<TrainingEvent> lastTerminal = new SimpleObjectProperty<>();
    private final ObservableList<RunSummary> runs = FXCollections.observableArrayList();
    private final ObservableList<RankRow> rankRows = FXCollections.observableArrayList();
    private final StringProperty failureBanner = new SimpleStringProperty("");
    private final javafx.beans.property.IntegerProperty failedRank = new javafx.beans.property.SimpleIntegerProperty(-1);
    private final ObservableList<WorkerLine> workerLog = FXCollections.observableArrayList();
    private final javafx.beans.property.IntegerProperty workerLogRank = new javafx.beans.property.SimpleIntegerProperty(ALL_RANKS);
    private final javafx.collections.transformation.FilteredList<WorkerLine> visibleWorkerLog = new javafx.collections.transformation.FilteredList<>(workerLog);
    private final java.util.concurrent.ConcurrentLinkedQueue<WorkerLine> pendingWorkerLines = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean workerLinesScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private boolean multiProcess;
    private volatile TrainingHandle handle;
    private volatile Boolean cancelBeforeHandle;
    private ScheduledExecutorService ticker;
    private long totalSteps;

    public TrainViewModel(TrainingService service, SettingsViewModel settings, Executor background, Executor fx) {
        this.service = service;
        this.settings = settings;
        this.background = background;
        this.fx = fx;
        workerLogRank.addListener((o, a, rank) -> visibleWorkerLog.setPredicate(line -> rank.intValue() == ALL_RANKS || line.rank() == rank.intValue()));
    }

    /** {@link #workerLogRankProperty()} value that shows every rank's lines. */
    public static final int ALL_RANKS = -1;
    /** Worker log lines kept (oldest dropped first): a long run logs far more than anyone scrolls through. */
    public static final int WORKER_LOG_LIMIT = 5000;

    /** One rank of a multi-process run: its process and its memory at the newest step (bytes; 0 = not reported yet). */
    public record RankRow(int rank, long pid, long currentBytes, long peakBytes, long totalBytes, String state) {
        RankRow withMemory(TrainingEvent.Memory m) {
            return new RankRow(rank, pid, m.currentBytes(), m.peakBytes(), m.capacityBytes(), state);
        }

        RankRow withState(String s) {
            return new RankRow(rank, pid, currentBytes, peakBytes, totalBytes, s);
        }

        /** Current memory as a share of the device's total, or of the peak when the total is unknown (0..1). */
        public double fill() {
            long of = totalBytes > 0 ? totalBytes : peakBytes;
            return of > 0 ? Math.min(1, currentBytes / (double) of) : 0;
        }
    }

    /** A worker's output line that is not an event. */
    public record WorkerLine(int rank, String text) {
        @Override
        public String toString() {
            return "[rank " + rank + "] " + text;
        }
    }

    /** One row per rank of the running (or last) multi-process run; empty for runs inside the studio. */
    public ObservableList<RankRow> rankRows() {
        return rankRows;
    }

    /** Names the rank that failed, why, and the last intact checkpoint; empty unless a multi-process run failed. */
    public StringProperty failureBannerProperty() {
        return failureBanner;
    }

    /** The rank the launcher blamed for the failure of the last multi-process run; -1 when none. */
    public javafx.beans.property.IntegerProperty failedRankProperty() {
        return failedRank;
    }

    /** Every worker line of the current multi-process run, in arrival order (the newest {@link #WORKER_LOG_LIMIT}). */
    public ObservableList<WorkerLine> workerLog() {
        return workerLog;
    }

    /** Which rank's lines {@link #visibleWorkerLog()} shows; {@link #ALL_RANKS} for all. */
    public javafx.beans.property.IntegerProperty workerLogRankProperty() {
        return workerLogRank;
    }

    public ObservableList<WorkerLine> visibleWorkerLog() {
        return visibleWorkerLog;
    }

    public TrainCharts charts() {
        return charts;
    }

    public BooleanProperty runningProperty() {
        return running;
    }

    public DoubleProperty progressProperty() {
        return progress;
    }

    public StringProperty progressTextProperty() {
        return progressText;
    }

    public StringProperty statusProperty() {
        return status;
    }

    /** Each rank's memory at the newest step of a data-parallel run; empty for a single-process run. */
    public StringProperty rankMemoryProperty() {
        return rankMemory;
    }

    public ObservableList<String> log() {
        return log;
    }

    public ObjectProperty<Path> runDirProperty() {
        return runDir;
    }

    public ObjectProperty<Path> runsDirProperty() {
        return runsDir;
    }

    /** The newest validation video written by the running training (the Samples page listens). */
    public ObjectProperty<Path> lastValidationVideoProperty() {
        return lastValidationVideo;
    }

    public ObjectProperty<TrainingEvent> lastTerminalProperty() {
        return lastTerminal;
    }

    public ObservableList<RunSummary> runs() {
        return runs;
    }

    /** Starts a run with the current settings; false (with the reason in {@link #statusProperty()}) when it cannot. */
    public boolean start() {
        List<ConfigProblem> errors = settings.problems().stream().filter(ConfigProblem::isError).toList();
        if (!errors.isEmpty()) {
            ConfigProblem first = errors.getFirst();
            status.set("The settings have " + errors.size() + " error(s) — first: " + first.key() + ": " + first.message()
                    + ". Fix them on the Settings page.");
            return false;
        }
        return launch(settings.config(), "training");
    }

    /** Continues a past run from its newest checkpoint, in its own folder. */
    public boolean resume(RunSummary run) {
        if (!run.resumable()) {
            status.set(run.name() + " has no complete checkpoint to resume from.");
            return false;
        }
        RunConfig c;
        try {
            c = RunConfig.load(run.dir().resolve("config.json"));
        } catch (IOException | RuntimeException e) {
            status.set("Cannot resume " + run.name() + ": " + e.getMessage());
            return false;
        }
        c.outputDir = run.dir().toString();
        c.resumeFromCheckpoint = "latest";
        return launch(c, "resuming " + run.name() + " from " + run.latestCheckpoint().getFileName());
    }

    private boolean launch(RunConfig config, String what) {
        if (running.get()) {
            status.set("A run is already in progress.");
            return false;
        }
        int processes = settings.processesProperty().get();
        multiProcess = processes > 1;
        log.clear();
        failureBanner.set("");
        failedRank.set(-1);
        workerLog.clear();
        pendingWorkerLines.clear();
        rankRows.clear();
        for (int r = 0; multiProcess && r < processes; r++) rankRows.add(new RankRow(r, 0, 0, 0, 0, "starting"));
        progress.set(ProgressIndicatorValue.INDETERMINATE);
        progressText.set("");
        rankMemory.set("");
        status.set(what + (multiProcess ? " with " + processes + " processes" : "") + "…");
        lastTerminal.set(null);
        running.set(true);
        handle = null;
        cancelBeforeHandle = null;
        double capacityGb = settings.deviceGbProperty().get();
        var device = settings.computeDeviceProperty().get();
        MemoryEstimator.Estimate e = settings.estimateProperty().get();
        double estimateGb = e == null ? 0 : (config.validationPrompts().isEmpty() ? e.peakBeforeValidation() : e.peakWithValidation()) / (double) (1L << 30);
        TrainingEventAdapter adapter = new TrainingEventAdapter(charts, fx, this::apply,
                started -> charts.setReferenceLines(started.totalSteps(), capacityGb, estimateGb));
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("training-events").factory());
        ticker = t;
        long period = FLUSH_PERIOD.toMillis();
        t.scheduleAtFixedRate(() -> {
            try {
                adapter.flush();
            } catch (RuntimeException failure) {
                // a periodic task that throws is never run again: report and keep draining
                org.slf4j.LoggerFactory.getLogger(TrainViewModel.class).warn("training event update failed", failure);
            } finally {
                if (adapter.ended()) t.shutdown();
            }
        }, 0, period, TimeUnit.MILLISECONDS);
        background.execute(() -> {
            charts.clear();
            try {
                TrainingHandle h = processes > 1
                        ? MultiProcessRun.start(config, processes, device, settings.gpusForRun(), adapter, rankObserver())
                        : service.start(config, device, adapter);
                handle = h;
                Boolean pendingCancel = cancelBeforeHandle;
                if (pendingCancel != null) h.cancel(pendingCancel);
                Path out = h.outputDir();
                fx.execute(() -> runDir.set(out));
            } catch (Exception ex) {
                adapter.on(new TrainingEvent.Failed(0, dev.cogforge.app.studio.ErrorDialogs.describe(ex), ex));
            }
        });
        return true;
    }

    /** Launcher callbacks (launcher threads) → rank rows and worker log on the FX thread. */
    private MultiProcessRun.Observer rankObserver() {
        return new MultiProcessRun.Observer() {
            @Override
            public void started(int rank, long pid) {
                fx.execute(() -> updateRow(rank, row -> new RankRow(rank, pid, row.currentBytes(), row.peakBytes(), row.totalBytes(), "running")));
            }

            @Override
            public void line(int rank, String line) {
                pendingWorkerLines.add(new WorkerLine(rank, line));
                if (workerLinesScheduled.compareAndSet(false, true)) fx.execute(TrainViewModel.this::drainWorkerLines);
            }

            @Override
            public void failed(int rank, String reason) {
                fx.execute(() -> {
                    failedRank.set(rank);
                    updateRow(rank, row -> row.withState("failed: " + reason));
                });
            }
        };
    }

    private void drainWorkerLines() {
        workerLinesScheduled.set(false);
        List<WorkerLine> batch = new ArrayList<>();
        for (WorkerLine l; (l = pendingWorkerLines.poll()) != null; ) batch.add(l);
        if (batch.isEmpty()) return;
        workerLog.addAll(batch);
        if (workerLog.size() > WORKER_LOG_LIMIT) workerLog.remove(0, workerLog.size() - WORKER_LOG_LIMIT);
    }

    private void updateRow(int rank, java.util.function.UnaryOperator<RankRow> change) {
        while (rankRows.size() <= rank) rankRows.add(new RankRow(rankRows.size(), 0, 0, 0, 0, "starting"));
        rankRows.set(rank, change.apply(rankRows.get(rank)));
    }

    /** Asks the run to stop at the next step; with {@code saveCheckpoint} it writes a checkpoint first. */
    public void cancel(boolean saveCheckpoint) {
        if (!running.get()) return;
        status.set(saveCheckpoint ? "stopping after saving a checkpoint…" : "stopping…");
        TrainingHandle h = handle;
        if (h != null) h.cancel(saveCheckpoint);
        else cancelBeforeHandle = saveCheckpoint;
    }

    /** Window closing: stop (saving a checkpoint) and run {@code then} on the FX thread once the run has ended. */
    public void stopThen(Runnable then) {
        cancel(true);
        background.execute(() -> {
            TrainingHandle h = handle;
            try {
                if (h != null) h.awaitEnd(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            fx.execute(then);
        });
    }

    private void apply(TrainingEventAdapter.Update u) {
        if (u.started() != null) {
            TrainingEvent.Started s = u.started();
            totalSteps = s.totalSteps();
            log.add(String.format("started: %d steps, %,d trainable parameters%s", s.totalSteps(), s.trainableParams(),
                    s.resumedFromStep() > 0 ? ", resumed from step " + s.resumedFromStep() : ""));
            status.set("training");
        }
        if (u.latestStep() != null) {
            TrainingEvent.Step s = u.latestStep();
            progress.set(totalSteps > 0 ? Math.min(1, s.step() / (double) totalSteps) : ProgressIndicatorValue.INDETERMINATE);
            progressText.set(String.format("step %d/%d · %.2f it/s · ETA %s · loss %.4f", s.step(), totalSteps, s.itPerS(),
                    duration(s.etaS()), s.loss()));
        }
        if (u.rankMemory() != null) {
            rankMemory.set(describe(u.rankMemory()));
            List<TrainingEvent.Memory> perRank = u.rankMemory().perRank();
            for (int r = 0; r < perRank.size(); r++) {
                TrainingEvent.Memory m = perRank.get(r);
                updateRow(r, row -> row.withMemory(m));
            }
        }
        for (TrainingEvent e : u.notable()) {
            switch (e) {
                case TrainingEvent.Warning w -> log.add("warning (step " + w.step() + "): " + w.message());
                case TrainingEvent.CheckpointSaved c -> log.add("checkpoint saved at step " + c.step() + ": " + c.folder());
                case TrainingEvent.ValidationVideoReady v -> {
                    log.add((v.finalTest() ? "final test video from the saved weights (prompt " : "validation video (step " + v.step() + ", prompt ")
                            + (v.promptIndex() + 1) + "): " + v.video());
                    lastValidationVideo.set(v.video());
                }
                // which clips made each batch, and per-rank memory: one line per step would bury the notable
                // events; the run's metrics file and the log file keep them
                case TrainingEvent.Batch b -> { }
                case TrainingEvent.RankMemory m -> { }
                default -> log.add(e.toString());
            }
        }
        if (u.terminal() != null) {
            TrainingEvent t = u.terminal();
            switch (t) {
                case TrainingEvent.Finished f -> {
                    log.add(String.format("finished: %d steps in %s, output %s", f.steps(), duration(f.totalTimeS()), f.outputDir()));
                    status.set("finished");
                    progress.set(1);
                }
                case TrainingEvent.Cancelled c -> {
                    log.add("cancelled at step " + c.step());
                    status.set("cancelled at step " + c.step());
                }
                case TrainingEvent.Failed f -> {
                    log.add("failed at step " + f.step() + ": " + f.message());
                    status.set("Training failed: " + f.message());
                    if (multiProcess) failureBanner.set(f.message());
                }
                default -> { }
            }
            drainWorkerLines();
            for (int r = 0; r < rankRows.size(); r++) {
                RankRow row = rankRows.get(r);
                if (r != failedRank.get()) rankRows.set(r, row.withState(t instanceof TrainingEvent.Finished ? "finished"
                        : t instanceof TrainingEvent.Cancelled || failedRank.get() < 0 ? "stopped"
                        : "stopped (rank " + failedRank.get() + " failed)"));
            }
            if (progress.get() < 0) progress.set(0);
            lastTerminal.set(t);
            running.set(false);
            refreshRuns();
        }
    }

    static String describe(TrainingEvent.RankMemory m) {
        StringBuilder b = new StringBuilder("memory per rank at step " + m.step() + ":");
        for (int rank = 0; rank < m.perRank().size(); rank++) {
            TrainingEvent.Memory mem = m.perRank().get(rank);
            b.append(rank == 0 ? " " : " · ").append(String.format(java.util.Locale.ROOT, "rank %d %.0f MiB (peak %.0f)", rank,
                    mem.currentBytes() / 1048576.0, mem.peakBytes() / 1048576.0));
        }
        return b.toString();
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "--:--";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%02d:%02d", s / 60, s % 60);
    }

    // ---- past runs

    /** Rescans {@link #runsDirProperty()} off the FX thread. */
    public void refreshRuns() {
        Path dir = runsDir.get();
        if (dir == null) return;
        try {
            background.execute(() -> {
                List<RunSummary> found = RunSummary.scan(dir);
                try {
                    fx.execute(() -> runs.setAll(found));
                } catch (RejectedExecutionException closing) {
                    // the window closed while scanning: there is no list left to show
                }
            });
        } catch (RejectedExecutionException closing) {
            // the window is closing and its workers are gone: there is no list left to refresh
        }
    }

    /** Shows a past run: its metrics go into the charts (off the FX thread, see {@link TrainCharts}). */
    public void show(RunSummary run) {
        if (running.get()) {
            status.set("A run is in progress; its charts stay on screen until it ends.");
            return;
        }
        runDir.set(run.dir());
        background.execute(() -> {
            try {
                List<Map<String, Object>> metrics = readMetrics(run.dir().resolve(MetricsWriter.FILE_NAME));
                charts.load(metrics);
                long last = run.lastStep() == null ? 0 : run.lastStep();
                charts.setReferenceLines(last, 0, 0);
                fx.execute(() -> {
                    progress.set(0);
                    progressText.set(run.name() + ": " + metrics.size() + " logged steps");
                    status.set("showing " + run.name());
                });
            } catch (IOException e) {
                fx.execute(() -> status.set("Cannot read " + run.name() + ": " + e.getMessage()));
            }
        });
    }

    static List<Map<String, Object>> readMetrics(Path file) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!java.nio.file.Files.isRegularFile(file)) return out;
        for (String line : java.nio.file.Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            try {
                out.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() {}));
            } catch (IOException e) {
                // only a cut last line can be unreadable (the writer flushes whole lines)
            }
        }
        return out;
    }

    /** JavaFX's convention for an indeterminate progress bar. */
    static final class ProgressIndicatorValue {
        static final double INDETERMINATE = -1;
    }
}

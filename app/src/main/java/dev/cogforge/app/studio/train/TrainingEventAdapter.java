package dev.cogforge.app.studio.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import dev.cogforge.core.train.TrainingEvent;

/**
 * Turns the trainer's event stream (trainer thread, possibly hundreds of steps a second on the tiny model) into at
 * most one UI update per {@link #flush()}: steps are buffered and appended to the chart data sets in one batch on the
 * flushing thread, and only the newest step, new log events and the terminal event travel to the FX thread. The
 * owner calls {@code flush()} on a fixed period (100 ms → ≤ 10 UI updates per second).
 */
public final class TrainingEventAdapter implements TrainingEvent.Listener {
    /** What changed since the last flush. {@code latestStep}, {@code started} and {@code rankMemory} are null when unchanged. */
    public record Update(TrainingEvent.Started started, TrainingEvent.Step latestStep, TrainingEvent.RankMemory rankMemory,
            List<TrainingEvent> notable, TrainingEvent terminal) {}

    private final TrainCharts charts;
    private final Executor fx;
    private final Consumer<Update> sink;
    private List<TrainingEvent.Step> pendingSteps = new ArrayList<>();
    private List<TrainingEvent> pendingNotable = new ArrayList<>();
    private TrainingEvent.Started pendingStarted;
    private TrainingEvent.RankMemory pendingRankMemory;
    private TrainingEvent pendingTerminal;
    private final Consumer<TrainingEvent.Started> onStartedWorker;
    private boolean ended;

    public TrainingEventAdapter(TrainCharts charts, Executor fx, Consumer<Update> sink) {
        this(charts, fx, sink, s -> {});
    }

    /** {@code onStartedWorker} runs on the flushing thread (not the FX thread): the place for chart set-up. */
    public TrainingEventAdapter(TrainCharts charts, Executor fx, Consumer<Update> sink, Consumer<TrainingEvent.Started> onStartedWorker) {
        this.charts = charts;
        this.fx = fx;
        this.sink = sink;
        this.onStartedWorker = onStartedWorker;
    }

    @Override
    public synchronized void on(TrainingEvent event) {
        switch (event) {
            case TrainingEvent.Step s -> pendingSteps.add(s);
            case TrainingEvent.Started s -> pendingStarted = s;
            // one per step in a data-parallel run: like steps, only the newest reaches the screen
            case TrainingEvent.RankMemory m -> pendingRankMemory = m;
            case TrainingEvent.Finished f -> pendingTerminal = f;
            case TrainingEvent.Failed f -> pendingTerminal = f;
            case TrainingEvent.Cancelled c -> pendingTerminal = c;
            default -> pendingNotable.add(event);
        }
    }

    /** True once the terminal event has been handed to the FX thread: the owner can stop flushing. */
    public synchronized boolean ended() {
        return ended;
    }

    /** Drains what arrived since the last call; returns whether an update was sent to the FX thread. */
    public boolean flush() {
        List<TrainingEvent.Step> steps;
        List<TrainingEvent> notable;
        TrainingEvent.Started started;
        TrainingEvent.RankMemory rankMemory;
        TrainingEvent terminal;
        synchronized (this) {
            if (pendingSteps.isEmpty() && pendingNotable.isEmpty() && pendingStarted == null && pendingTerminal == null
                    && pendingRankMemory == null) return false;
            steps = pendingSteps;
            notable = pendingNotable;
            started = pendingStarted;
            rankMemory = pendingRankMemory;
            terminal = pendingTerminal;
            pendingSteps = new ArrayList<>();
            pendingNotable = new ArrayList<>();
            pendingStarted = null;
            pendingRankMemory = null;
            pendingTerminal = null;
            if (terminal != null) ended = true;
        }
        if (started != null) onStartedWorker.accept(started);
        charts.append(steps);
        Update u = new Update(started, steps.isEmpty() ? null : steps.getLast(), rankMemory, List.copyOf(notable), terminal);
        fx.execute(() -> sink.accept(u));
        return true;
    }
}

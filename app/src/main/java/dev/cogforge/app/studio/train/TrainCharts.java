package dev.cogforge.app.studio.train;

import java.util.List;
import java.util.Map;

import dev.cogforge.core.train.TrainingEvent;

import io.fair_acc.dataset.spi.DoubleDataSet;
import io.fair_acc.dataset.utils.DataSetStyleBuilder;

/**
 * The data behind the Train page's three charts. ChartFX data sets are lock-protected and redraw on the next pulse,
 * so points are appended from the worker thread that drains training events — never through
 * {@code Platform.runLater}, which deadlocks against ChartFX's layout read lock (see ui-stack.md).
 */
public final class TrainCharts {
    private static final double GB = 1L << 30;
    /** Weight of the previous value in the smoothed loss (TensorBoard's default slider value). */
    public static final double SMOOTHING = 0.9;

    private final DoubleDataSet lossRaw = new DoubleDataSet("loss");
    private final DoubleDataSet lossSmoothed = new DoubleDataSet("loss (smoothed)");
    private final DoubleDataSet learningRate = new DoubleDataSet("learning rate");
    private final DoubleDataSet memoryCurrent = new DoubleDataSet("memory");
    private final DoubleDataSet memoryPeak = new DoubleDataSet("peak");
    private final DoubleDataSet capacity = new DoubleDataSet("device capacity");
    private final DoubleDataSet estimate = new DoubleDataSet("estimate");
    private double ema;
    private long emaCount;

    public TrainCharts() {
        estimate.setStyle(DataSetStyleBuilder.newInstance().setLineDashes(8, 6).setMarkerSize(0).build());
        capacity.setStyle(DataSetStyleBuilder.newInstance().setLineWidth(2).setMarkerSize(0).build());
        lossRaw.setStyle(DataSetStyleBuilder.newInstance().setMarkerSize(0).build());
        lossSmoothed.setStyle(DataSetStyleBuilder.newInstance().setLineWidth(2).setMarkerSize(0).build());
    }

    public DoubleDataSet lossRaw() {
        return lossRaw;
    }

    public DoubleDataSet lossSmoothed() {
        return lossSmoothed;
    }

    public DoubleDataSet learningRate() {
        return learningRate;
    }

    public DoubleDataSet memoryCurrent() {
        return memoryCurrent;
    }

    public DoubleDataSet memoryPeak() {
        return memoryPeak;
    }

    public DoubleDataSet capacity() {
        return capacity;
    }

    public DoubleDataSet estimate() {
        return estimate;
    }

    public synchronized void clear() {
        for (DoubleDataSet d : List.of(lossRaw, lossSmoothed, learningRate, memoryCurrent, memoryPeak, capacity, estimate)) d.clearData();
        ema = 0;
        emaCount = 0;
    }

    /** Appends a batch of steps: one locked append per data set, whatever the batch size. */
    public synchronized void append(List<TrainingEvent.Step> steps) {
        int n = steps.size();
        if (n == 0) return;
        double[] x = new double[n], loss = new double[n], smooth = new double[n], lr = new double[n], mem = new double[n], peak = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            TrainingEvent.Step s = steps.get(i);
            x[i] = s.step();
            loss[i] = s.loss();
            smooth[i] = smooth(s.loss());
            lr[i] = s.lr();
            if (s.memory() != null) {
                mem[m] = s.memory().currentBytes() / GB;
                peak[m] = s.memory().peakBytes() / GB;
                m++;
            }
        }
        lossRaw.add(x, loss);
        lossSmoothed.add(x, smooth);
        learningRate.add(x, lr);
        if (m > 0) {
            double[] mx = java.util.Arrays.copyOf(x, m);
            memoryCurrent.add(mx, java.util.Arrays.copyOf(mem, m));
            memoryPeak.add(mx, java.util.Arrays.copyOf(peak, m));
        }
    }

    /** Debiased EMA, so the first points are not dragged towards zero. */
    private double smooth(double loss) {
        if (!Double.isFinite(loss)) return loss;
        emaCount++;
        ema = SMOOTHING * ema + (1 - SMOOTHING) * loss;
        return ema / (1 - Math.pow(SMOOTHING, emaCount));
    }

    /** Horizontal lines over {@code [0, totalSteps]}: the device capacity and the planner's estimate (GB; <= 0 = none). */
    public synchronized void setReferenceLines(long totalSteps, double capacityGb, double estimateGb) {
        double end = Math.max(1, totalSteps);
        capacity.clearData();
        estimate.clearData();
        if (capacityGb > 0) capacity.add(new double[] {0, end}, new double[] {capacityGb, capacityGb});
        if (estimateGb > 0) estimate.add(new double[] {0, end}, new double[] {estimateGb, estimateGb});
    }

    /** Fills the charts from a past run's {@code metrics.jsonl} objects. */
    public void load(List<Map<String, Object>> metrics) {
        clear();
        List<TrainingEvent.Step> steps = new java.util.ArrayList<>();
        for (Map<String, Object> m : metrics) {
            if (!(m.get("step") instanceof Number step)) continue;
            long mem = m.get("memory_bytes") instanceof Number n ? n.longValue() : 0;
            long peak = m.get("peak_memory_bytes") instanceof Number n ? n.longValue() : mem;
            steps.add(new TrainingEvent.Step(step.longValue(), m.get("epoch") instanceof Number e ? e.intValue() : 0,
                    number(m.get("loss")), number(m.get("lr")), number(m.get("grad_norm")), number(m.get("step_time_s")),
                    0, 0, mem > 0 ? new TrainingEvent.Memory(mem, peak, 0) : null));
        }
        append(steps);
    }

    private static double number(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }
}

package dev.cogforge.app.studio.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import io.fair_acc.chartfx.axes.spi.DefaultNumericAxis;
import io.fair_acc.chartfx.axes.spi.format.DefaultFormatter;
import io.fair_acc.dataset.spi.fastutil.DoubleArrayList;

/** Tick marks one ulp apart (what a flat series auto-ranges to) must not break the chart's layout. */
class RobustAxisFormatterTest {
    private static DoubleArrayList ticks(double... values) {
        DoubleArrayList l = new DoubleArrayList();
        for (double v : values) l.add(v);
        return l;
    }

    @Test
    void ticksThatDifferInTheLastDigitAreFormattedInsteadOfThrowing() {
        DoubleArrayList flatLearningRate = ticks(3.0e-4, 3.0000000000000003e-4, 4.0e-4);
        DoubleArrayList flatAroundOne = ticks(1.0000000000000002, 1.0000000000000004, 1.0000000000000007);
        // the library's own formatter fails on these (ChartFX 11.3.1): if an upgrade fixes it, this wrapper can go
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> new DefaultFormatter().updateFormatter(flatLearningRate, 1.0));

        RobustAxisFormatter f = new RobustAxisFormatter(new DefaultNumericAxis("lr"));
        assertDoesNotThrow(() -> f.updateFormatter(flatLearningRate, 1.0));
        assertDoesNotThrow(() -> f.updateFormatter(flatAroundOne, 1.0));
        assertFalse(f.toString(3.0e-4).isBlank(), "labels are still produced");
        f.updateFormatter(ticks(0, 0.5, 1.0), 1.0);
        assertFalse(f.toString(0.5).isBlank());
    }
}

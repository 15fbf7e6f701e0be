package dev.cogforge.app.studio.train;

import io.fair_acc.chartfx.axes.Axis;
import io.fair_acc.chartfx.axes.spi.format.DefaultFormatter;

/**
 * ChartFX 11.3.1's {@link DefaultFormatter} throws {@code ArrayIndexOutOfBoundsException} from its digit counting when
 * neighbouring tick marks differ only in the last of double's 17 significant digits — which auto-ranging produces for a
 * flat series (a constant learning rate after warm-up, a memory line that does not move). The exception escapes the
 * layout pulse, so a chart would stop updating. This formatter keeps the previous label precision in that case.
 */
final class RobustAxisFormatter extends DefaultFormatter {
    RobustAxisFormatter(Axis axis) {
        super(axis);
    }

    @Override
    protected void rangeUpdated() {
        try {
            super.rangeUpdated();
        } catch (ArrayIndexOutOfBoundsException ticksTooCloseForChartFx) {
            // labels keep the decimal places of the last range that could be analysed
        }
    }
}

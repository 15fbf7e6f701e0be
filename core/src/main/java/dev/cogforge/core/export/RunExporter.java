package dev.cogforge.core.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Exports either kind of run: a LoRA run through {@link LoraExporter}, a full fine-tuning run through
 * {@link FullRunExporter}. The CLI and the Export page use this, so both show the same one-line summary.
 */
public final class RunExporter {
    /** {@code summary} describes the exported weights in one line (rank and alpha, or the transformer's size). */
    public record Result(Path out, List<String> files, String summary, List<String> notes) {}

    private RunExporter() {}

    public static Result export(RunFolder run, ExportOptions options, Consumer<String> progress) throws IOException {
        if (run.isLora()) {
            LoraExporter.Result r = LoraExporter.export(run, options, progress);
            return new Result(r.out(), r.files(), "rank " + r.rank() + ", alpha " + LoraExporter.formatNumber(r.alpha()) + " ("
                    + r.alphaSource() + "), inference scale " + LoraExporter.formatNumber(r.scale()), r.notes());
        }
        FullRunExporter.Result r = FullRunExporter.export(run, options, progress);
        return new Result(r.out(), r.files(), String.format(Locale.ROOT, "full fine-tune: transformer with %,d parameters in %d tensors, %.1f MB %s",
                r.parameters(), r.tensors(), r.transformerBytes() / 1e6, options.dtype()), List.of());
    }

    public static String previewCard(RunFolder run, ExportOptions options) throws IOException {
        return run.isLora() ? LoraExporter.previewCard(run, options) : FullRunExporter.previewCard(run, options);
    }
}

package dev.cogforge.core.train;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Appends one JSON object per optimizer step to {@code metrics.jsonl}
 * ({@code step, epoch, loss, lr, grad_norm, step_time_s, memory_bytes}). Each line is flushed whole so a crash
 * loses at most the line being written, and a resumed run keeps appending to the same file. Also usable directly as
 * a {@link TrainingEvent.Listener}.
 */
public final class MetricsWriter implements Closeable, TrainingEvent.Listener {
    public static final String FILE_NAME = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Writer out;

    public MetricsWriter(Path outputDir) throws IOException {
        Files.createDirectories(outputDir);
        this.file = outputDir.resolve(FILE_NAME);
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public Path file() {
        return file;
    }

    public synchronized void write(TrainingEvent.Step s) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", s.step());
        o.put("epoch", s.epoch());
        putNumber(o, "loss", s.loss());
        putNumber(o, "lr", s.lr());
        putNumber(o, "grad_norm", s.gradNorm());
        putNumber(o, "step_time_s", s.stepTimeS());
        o.put("memory_bytes", s.memory() == null ? 0 : s.memory().currentBytes());
        o.put("peak_memory_bytes", s.memory() == null ? 0 : s.memory().peakBytes());
        out.write(JSON.writeValueAsString(o));
        out.write('\n');
        out.flush();
    }

    /** JSON has no NaN/inf: a diverged loss is written as a string so the line still parses. */
    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v);
        else o.put(key, Double.toString(v));
    }

    @Override
    public void on(TrainingEvent event) {
        if (event instanceof TrainingEvent.Step s) {
            try {
                write(s);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(file + ": cannot append metrics", e);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}

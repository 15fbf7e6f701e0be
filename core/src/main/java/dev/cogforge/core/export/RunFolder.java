package dev.cogforge.core.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cogforge.core.io.Checkpoints;

/**
 * A finished (or checkpointed) training run as the trainer leaves it: {@code config.json} (the run config, read as a
 * generic map), {@code metrics.jsonl} (one object per step), {@code validation/*.mp4} and the trained weights: a LoRA
 * run has {@code pytorch_lora_weights.safetensors} (diffusers keys, {@link #loraFile}), a full fine-tuning run has the
 * diffusers transformer folder {@code transformer/} ({@link #transformerDir}). Exactly one of the two is set.
 */
public record RunFolder(Path dir, Map<String, Object> config, List<Map<String, Object>> metrics, Path loraFile,
                        List<Path> validationVideos, Path transformerDir) {
    public static final String LORA_FILE = "pytorch_lora_weights.safetensors";
    public static final String TRANSFORMER_FOLDER = "transformer";
    private static final ObjectMapper JSON = new ObjectMapper();

    public RunFolder {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        metrics = List.copyOf(metrics);
        validationVideos = List.copyOf(validationVideos);
        if ((loraFile == null) == (transformerDir == null)) {
            throw new IllegalArgumentException("a run folder has either a LoRA file or a transformer folder: " + loraFile + ", " + transformerDir);
        }
    }

    /** A LoRA run; otherwise a full fine-tuning run. */
    public boolean isLora() {
        return loraFile != null;
    }

    public boolean isFull() {
        return transformerDir != null;
    }

    public static RunFolder open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("run folder " + dir + " does not exist");
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) throw new IOException(configFile + " is missing: not a CogForge run folder");
        Map<String, Object> config;
        try {
            config = JSON.readValue(configFile.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new IOException(configFile + " is not a JSON object: " + e.getMessage(), e);
        }
        Path lora = dir.resolve(LORA_FILE);
        Path transformer = null;
        if (!Files.isRegularFile(lora)) {
            lora = null;
            Path folder = dir.resolve(TRANSFORMER_FOLDER);
            if (Files.isRegularFile(folder.resolve("config.json"))) {
                if (Checkpoints.find(folder, null).isEmpty()) {
                    throw new IOException(folder + " has config.json but no weights (" + TransformerFolderWriter.SINGLE + " or "
                            + TransformerFolderWriter.INDEX + "): the full fine-tuning run did not finish saving");
                }
                transformer = folder;
            } else if ("full".equals(config.get("training_type"))) {
                throw new IOException(folder + " is missing: the full fine-tuning run has not saved its transformer yet"
                        + " (it is written when training finishes)");
            } else {
                throw new IOException(dir.resolve(LORA_FILE) + " is missing: the run has not saved LoRA weights yet");
            }
        }
        List<Map<String, Object>> metrics = new ArrayList<>();
        Path metricsFile = dir.resolve("metrics.jsonl");
        if (Files.isRegularFile(metricsFile)) {
            List<String> lines = Files.readAllLines(metricsFile);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) continue;
                try {
                    metrics.add(JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() {}));
                } catch (IOException e) {
                    // a crash can cut the last line short; anything earlier is corruption worth reporting
                    if (i == lines.size() - 1) break;
                    throw new IOException(metricsFile + " line " + (i + 1) + " is not a JSON object: " + e.getMessage(), e);
                }
            }
        }
        return new RunFolder(dir, config, metrics, lora, validationVideosOf(dir.resolve("validation")), transformer);
    }

    /**
     * The videos that show the trained weights best: the final test rendered from the saved weights
     * ({@code validation/final/}), else the last validation step ({@code validation/step-N/} with the largest N), else
     * videos directly in {@code validation/} (older runs and other trainers).
     */
    static List<Path> validationVideosOf(Path validation) throws IOException {
        if (!Files.isDirectory(validation)) return List.of();
        List<Path> finalTest = mp4sIn(validation.resolve("final"));
        if (!finalTest.isEmpty()) return finalTest;
        Path lastStep = null;
        long lastN = -1;
        try (Stream<Path> s = Files.list(validation)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!Files.isDirectory(p) || !name.matches("step-\\d{1,18}")) continue;
                long n = Long.parseLong(name.substring(5));
                if (n > lastN && !mp4sIn(p).isEmpty()) {
                    lastN = n;
                    lastStep = p;
                }
            }
        }
        return lastStep != null ? mp4sIn(lastStep) : mp4sIn(validation);
    }

    private static List<Path> mp4sIn(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase().endsWith(".mp4")).sorted().toList();
        }
    }

    /** First config value present under any of {@code keys} (run configs name things differently across versions). */
    public Object configValue(String... keys) {
        for (String k : keys) {
            Object v = config.get(k);
            if (v != null) return v;
        }
        return null;
    }

    public String configString(String... keys) {
        Object v = configValue(keys);
        return v == null ? null : v.toString();
    }

    public Double configNumber(String... keys) throws IOException {
        Object v = configValue(keys);
        if (v == null) return null;
        if (v instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw new IOException(dir.resolve("config.json") + ": '" + keys[0] + "' must be a number, got '" + v + "'");
        }
    }

    public Long lastStep() {
        for (int i = metrics.size() - 1; i >= 0; i--) {
            if (metrics.get(i).get("step") instanceof Number n) return n.longValue();
        }
        return null;
    }

    /** Last logged loss and the mean of the last {@code window} losses (a single step's loss is noisy). */
    public double[] finalLoss(int window) {
        List<Double> losses = new ArrayList<>();
        for (Map<String, Object> m : metrics) if (m.get("loss") instanceof Number n) losses.add(n.doubleValue());
        if (losses.isEmpty()) return null;
        int from = Math.max(0, losses.size() - window);
        double sum = 0;
        for (int i = from; i < losses.size(); i++) sum += losses.get(i);
        return new double[]{losses.getLast(), sum / (losses.size() - from), losses.size() - from};
    }
}

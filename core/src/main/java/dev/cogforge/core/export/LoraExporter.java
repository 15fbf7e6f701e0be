package dev.cogforge.core.export;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.cogforge.core.io.DType;
import dev.cogforge.core.io.SafetensorsWriter;

/**
 * Turns a run folder into a publishable folder: the LoRA in diffusers keys (optionally also kohya/ComfyUI keys), a
 * model card, the validation videos, the run config and optionally a merged transformer. Everything is written into
 * a temp folder beside the target and moved into place at the end, so a failed export never leaves a half folder.
 */
public final class LoraExporter {
    public static final String COMFYUI_FILE = "pytorch_lora_weights_comfyui.safetensors";
    public static final String CONFIG_FILE = "training_config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Config keys that might carry a secret never reach the card or the copied config. */
    static final Pattern SECRET_KEY = Pattern.compile("(?i).*(token|secret|password|api_?key|credential).*");

    public record Result(Path out, List<String> files, long rank, double alpha, String alphaSource, List<String> notes) {
        public double scale() {
            return alpha / rank;
        }
    }

    private LoraExporter() {}

    public static Result export(RunFolder run, ExportOptions options, Consumer<String> progress) throws IOException {
        if (!run.isLora()) throw new IOException(run.dir() + " is a full fine-tuning run: export it with RunExporter");
        Consumer<String> log = progress == null ? s -> {} : progress;
        Path out = options.out().toAbsolutePath().normalize();
        Path tmp = stagingFolder(run, options);
        boolean moved = false;
        try (LoraWeights lora = LoraWeights.open(run.loraFile())) {
            List<String> notes = new ArrayList<>();
            Scale scale = scaleOf(run, lora, notes);
            long rank = scale.rank();
            double alpha = scale.alpha();
            String alphaSource = scale.alphaSource();
            List<String> files = new ArrayList<>();

            log.accept("writing " + RunFolder.LORA_FILE + " (" + options.dtype() + ")");
            writeDiffusers(lora, rank, alpha, options.dtype(), tmp.resolve(RunFolder.LORA_FILE));
            files.add(RunFolder.LORA_FILE);
            if (options.comfyui()) {
                log.accept("writing " + COMFYUI_FILE + " (kohya keys)");
                writeKohya(lora, alpha, options.dtype(), tmp.resolve(COMFYUI_FILE));
                files.add(COMFYUI_FILE);
            }

            List<String> videos = copyVideosAndConfig(run, tmp, files);

            if (options.mergeInto() != null) {
                log.accept("merging into " + options.mergeInto());
                List<String> merged = TransformerMerger.merge(lora, alpha / rank, options.mergeInto(), tmp.resolve("transformer"),
                        options.dtype(), options.maxShardBytes(), log);
                merged.forEach(f -> files.add("transformer/" + f));
            }

            ModelCard card = ModelCard.build(run, options, rank, alpha, alphaSource, videos, notes);
            Files.writeString(tmp.resolve("README.md"), card.markdown());
            files.add("README.md");

            moveIntoPlace(tmp, out, options.overwrite());
            moved = true;
            log.accept("exported to " + out);
            return new Result(out, List.copyOf(files), rank, alpha, alphaSource, List.copyOf(notes));
        } finally {
            if (!moved) deleteTree(tmp);
        }
    }

    /**
     * A fresh temp folder beside the export target, after checking the target may be written: the export is built
     * there and moved into place at the end by {@link #moveIntoPlace}.
     */
    static Path stagingFolder(RunFolder run, ExportOptions options) throws IOException {
        Path out = options.out().toAbsolutePath().normalize();
        if (Files.exists(out) && !options.overwrite() && !isEmptyDir(out)) {
            throw new IOException("export folder " + out + " already exists and is not empty (use overwrite)");
        }
        if (out.startsWith(run.dir().toAbsolutePath().normalize())) {
            throw new IOException("export folder " + out + " must not be inside the run folder " + run.dir());
        }
        Files.createDirectories(out.getParent());
        return Files.createTempDirectory(out.getParent(), "." + out.getFileName() + ".export-");
    }

    /** Copies the chosen validation videos and the redacted run config into {@code tmp}; returns the video names. */
    static List<String> copyVideosAndConfig(RunFolder run, Path tmp, List<String> files) throws IOException {
        List<String> videos = exportedVideoNames(run);
        if (!videos.isEmpty()) {
            Files.createDirectories(tmp.resolve("validation"));
            for (int i = 0; i < videos.size(); i++) {
                Files.copy(run.validationVideos().get(i), tmp.resolve(videos.get(i)));
                files.add(videos.get(i));
            }
        }
        Files.writeString(tmp.resolve(CONFIG_FILE), JSON.writeValueAsString(redactedConfig(run.config())));
        files.add(CONFIG_FILE);
        return videos;
    }

    /**
     * The model card an export of {@code run} with {@code options} would write, without writing anything: the Export
     * page shows it before the user exports or pushes.
     */
    public static String previewCard(RunFolder run, ExportOptions options) throws IOException {
        if (!run.isLora()) throw new IOException(run.dir() + " is a full fine-tuning run: preview it with RunExporter");
        try (LoraWeights lora = LoraWeights.open(run.loraFile())) {
            List<String> notes = new ArrayList<>();
            Scale scale = scaleOf(run, lora, notes);
            return ModelCard.build(run, options, scale.rank(), scale.alpha(), scale.alphaSource(), exportedVideoNames(run), notes)
                    .markdown();
        }
    }

    private record Scale(long rank, double alpha, String alphaSource) {}

    /** Rank from the file (checked against the run config) and alpha from the config or file metadata, else = rank. */
    private static Scale scaleOf(RunFolder run, LoraWeights lora, List<String> notes) throws IOException {
        long rank = lora.rank();
        Double configRank = run.configNumber("rank", "lora_rank", "r");
        if (configRank != null && configRank.longValue() != rank) {
            throw new IOException(run.dir().resolve("config.json") + " says rank " + configRank.longValue() + " but "
                    + run.loraFile() + " has lora_A with " + rank + " rows");
        }
        double[] alphaAndSource = new double[1];
        String alphaSource = resolveAlpha(run, lora, alphaAndSource);
        double alpha = alphaAndSource[0];
        if (alphaSource == null) {
            alpha = rank;
            alphaSource = "assumed equal to rank (neither the run config nor the file metadata names lora_alpha)";
            notes.add("lora_alpha not found; assumed alpha = rank = " + rank + " (scale 1.0)");
        }
        return new Scale(rank, alpha, alphaSource);
    }

    /** Where each of the run's chosen validation videos goes in the export (names are unique within one folder). */
    static List<String> exportedVideoNames(RunFolder run) {
        return run.validationVideos().stream().map(v -> "validation/" + v.getFileName()).toList();
    }

    /** Returns where alpha came from and stores it in {@code alphaOut[0]}; null when nothing names it. */
    private static String resolveAlpha(RunFolder run, LoraWeights lora, double[] alphaOut) throws IOException {
        Double a = run.configNumber("lora_alpha", "alpha", "network_alpha");
        if (a != null) {
            alphaOut[0] = a;
            return "run config";
        }
        for (String key : List.of("lora_adapter_metadata", "lora_config")) {
            String meta = lora.metadata().get(key);
            if (meta == null) continue;
            JsonNode n;
            try {
                n = JSON.readTree(meta);
            } catch (IOException e) {
                throw new IOException(run.loraFile() + ": metadata '" + key + "' is not JSON: " + e.getMessage(), e);
            }
            JsonNode v = n.has("lora_alpha") ? n.get("lora_alpha") : n.get("transformer.lora_alpha");
            if (v != null && v.isNumber()) {
                alphaOut[0] = v.asDouble();
                return "safetensors metadata '" + key + "'";
            }
        }
        return null;
    }

    /**
     * diffusers keys, weights as trained. No {@code lora_adapter_metadata}: recent diffusers would apply alpha/rank
     * from it while older versions ignore it, so the same file would behave differently; the card states the scale.
     */
    static void writeDiffusers(LoraWeights lora, long rank, double alpha, DType dtype, Path target) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata("format", "pt");
        w.metadata("cogforge.rank", Long.toString(rank));
        w.metadata("cogforge.lora_alpha", formatNumber(alpha));
        w.metadata("cogforge.target_modules", JSON.writeValueAsString(targetModules(lora)));
        for (LoraWeights.Module m : lora.modules()) {
            w.addBytes(LoraKeys.diffusersA(m.path()), dtype, new long[]{m.rank(), m.in()}, FloatCodec.encode(lora.file().readFloats(m.keyA()), dtype));
            w.addBytes(LoraKeys.diffusersB(m.path()), dtype, new long[]{m.out(), m.rank()}, FloatCodec.encode(lora.file().readFloats(m.keyB()), dtype));
        }
        w.write(target);
    }

    /** kohya keys with a per-module fp32 alpha, the layout ComfyUI-CogVideoXWrapper's merge_lora reads. */
    static void writeKohya(LoraWeights lora, double alpha, DType dtype, Path target) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        w.metadata("format", "pt");
        w.metadata("ss_network_dim", Long.toString(lora.rank()));
        w.metadata("ss_network_alpha", formatNumber(alpha));
        for (LoraWeights.Module m : lora.modules()) {
            w.addBytes(LoraKeys.kohyaDown(m.path()), dtype, new long[]{m.rank(), m.in()}, FloatCodec.encode(lora.file().readFloats(m.keyA()), dtype));
            w.addBytes(LoraKeys.kohyaUp(m.path()), dtype, new long[]{m.out(), m.rank()}, FloatCodec.encode(lora.file().readFloats(m.keyB()), dtype));
            w.addBytes(LoraKeys.kohyaAlpha(m.path()), DType.F32, new long[0], FloatCodec.encode(new float[]{(float) alpha}, DType.F32));
        }
        w.write(target);
    }

    static List<String> targetModules(LoraWeights lora) {
        return lora.modules().stream().map(m -> m.path().replaceFirst("^.*?attn\\d*\\.", "").replaceFirst("^transformer_blocks\\.\\d+\\.", ""))
                .distinct().sorted().toList();
    }

    static Map<String, Object> redactedConfig(Map<String, Object> config) {
        Map<String, Object> out = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (!SECRET_KEY.matcher(k).matches()) out.put(k, v);
        });
        return out;
    }

    static String formatNumber(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    private static boolean isEmptyDir(Path p) throws IOException {
        if (!Files.isDirectory(p)) return false;
        try (var s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }

    /** The new folder replaces the old one; the old one is moved aside first so there is never a mixed folder. */
    static void moveIntoPlace(Path tmp, Path out, boolean overwrite) throws IOException {
        Path aside = null;
        if (Files.exists(out)) {
            if (!overwrite && !isEmptyDir(out)) throw new IOException("export folder " + out + " appeared during the export");
            aside = out.resolveSibling("." + out.getFileName() + ".old-" + System.nanoTime());
            Files.move(out, aside);
        }
        try {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, out);
        } catch (IOException e) {
            if (aside != null) Files.move(aside, out);
            throw e;
        }
        if (aside != null) deleteTree(aside);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

package dev.cogforge.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Opens a model's weights from a file or a diffusers/transformers component folder, choosing between a single
 * safetensors file and a sharded index the way diffusers does: {@code diffusion_pytorch_model.safetensors}, then its
 * {@code .index.json}, then the transformers names {@code model.safetensors} / {@code model.safetensors.index.json}.
 * A variant ("fp16", "bf16") selects {@code diffusion_pytorch_model.fp16.safetensors} and
 * {@code diffusion_pytorch_model.safetensors.index.fp16.json} (diffusers' {@code _add_variant} spelling).
 */
public final class Checkpoints {
    /** Weight file stems in the order they are tried: diffusers models, then transformers models. */
    public static final List<String> STEMS = List.of("diffusion_pytorch_model", "model");

    private static final Pattern VARIANT_FILE = Pattern.compile(
            "(diffusion_pytorch_model|model)(?:\\.([A-Za-z0-9_]+)\\.safetensors|\\.safetensors\\.index\\.([A-Za-z0-9_]+)\\.json)");

    private Checkpoints() {}

    public static TensorSource open(Path dirOrFile) throws IOException {
        return open(dirOrFile, null);
    }

    /** Opens the weights at {@code dirOrFile}; {@code variant} may be null (plain names, or the only variant present). */
    public static TensorSource open(Path dirOrFile, String variant) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? locate(dirOrFile, variant) : dirOrFile;
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such checkpoint file");
        if (name.endsWith(".json")) return ShardedCheckpoint.open(file);
        if (name.endsWith(".safetensors")) return SafetensorsFile.open(file);
        throw new IOException(file + ": not a safetensors file or index (" + unsupportedHint(name) + ")");
    }

    /** The weight file or index in {@code dir}, or an error listing the names looked for and what is there instead. */
    public static Path locate(Path dir, String variant) throws IOException {
        Optional<Path> found = find(dir, variant);
        if (found.isPresent()) return found.get();
        List<String> tried = new ArrayList<>();
        for (String stem : STEMS) {
            tried.add(withVariant(stem + ".safetensors", variant));
            tried.add(withVariant(stem + ".safetensors.index.json", variant));
        }
        StringBuilder msg = new StringBuilder(dir + ": no weights found (looked for " + String.join(", ", tried) + ")");
        List<String> others = otherWeightFiles(dir);
        if (!others.isEmpty()) msg.append("; found ").append(String.join(", ", others)).append(" — ")
                .append(unsupportedHint(others.getFirst()));
        throw new IOException(msg.toString());
    }

    /**
     * The weight file or index in {@code dir}, if any. Without a variant and without plain names, a single variant
     * present is taken; several are an error asking the caller to choose.
     */
    public static Optional<Path> find(Path dir, String variant) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a folder");
        for (String stem : STEMS) {
            for (String base : List.of(stem + ".safetensors", stem + ".safetensors.index.json")) {
                Path p = dir.resolve(withVariant(base, variant));
                if (Files.isRegularFile(p)) return Optional.of(p);
            }
        }
        if (variant != null) return Optional.empty();
        TreeSet<String> variants = new TreeSet<>();
        List<Path> candidates = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = VARIANT_FILE.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p)) {
                    variants.add(m.group(2) != null ? m.group(2) : m.group(3));
                    candidates.add(p);
                }
            }
        }
        if (variants.isEmpty()) return Optional.empty();
        if (variants.size() > 1) {
            throw new IOException(dir + ": several weight variants (" + String.join(", ", variants) + "); choose one with --variant");
        }
        String only = variants.first();
        return find(dir, only);
    }

    /** diffusers' {@code _add_variant}: the variant goes before the last dot-separated part. */
    public static String withVariant(String fileName, String variant) {
        if (variant == null || variant.isBlank()) return fileName;
        int dot = fileName.lastIndexOf('.');
        return fileName.substring(0, dot) + "." + variant + fileName.substring(dot);
    }

    private static List<String> otherWeightFiles(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".ckpt")
                            || n.endsWith(".gguf") || n.endsWith(".safetensors"))
                    .sorted().forEach(out::add);
        }
        return out;
    }

    private static String unsupportedHint(String name) {
        if (name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".ckpt")) {
            return "PyTorch pickle checkpoints are not read (they can run code); convert them to safetensors";
        }
        if (name.endsWith(".safetensors")) return "open that file directly if it holds this component's weights";
        return "expected .safetensors or .safetensors.index.json";
    }
}

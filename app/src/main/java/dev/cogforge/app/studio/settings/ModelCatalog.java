package dev.cogforge.app.studio.settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cogforge.core.io.ConfigJson;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.TensorInfo;
import dev.cogforge.core.train.ModelDimensions;

/** Which model dimensions the memory estimate uses: chosen by the user, else recognised from the model name or folder. */
public enum ModelCatalog {
    AUTO("Detect from model"), COGVIDEOX_2B("CogVideoX-2b"), COGVIDEOX_5B("CogVideoX-5b"),
    COGVIDEOX_5B_I2V("CogVideoX-5b-I2V"), COGVIDEOX_15_5B("CogVideoX1.5-5B");

    private final String title;

    ModelCatalog(String title) {
        this.title = title;
    }

    @Override
    public String toString() {
        return title;
    }

    /** The dimensions to estimate with; null when AUTO cannot tell which model is meant. */
    public ModelDimensions dimensions(String modelNameOrPath) {
        return switch (this) {
            case COGVIDEOX_2B -> ModelDimensions.cogVideoX2b();
            case COGVIDEOX_5B -> ModelDimensions.cogVideoX5b();
            case COGVIDEOX_5B_I2V -> ModelDimensions.cogVideoX5bI2v();
            case COGVIDEOX_15_5B -> ModelDimensions.cogVideoX15_5b();
            case AUTO -> detect(modelNameOrPath);
        };
    }

    static ModelDimensions detect(String name) {
        if (name == null || name.isBlank()) return null;
        Path local = Path.of(name);
        if (Files.isRegularFile(local.resolve("transformer/config.json"))) {
            try {
                return fromFolder(local);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("1.5") && n.contains("5b")) return ModelDimensions.cogVideoX15_5b();
        if (n.contains("5b") && n.contains("i2v")) return ModelDimensions.cogVideoX5bI2v();
        if (n.contains("5b")) return ModelDimensions.cogVideoX5b();
        if (n.contains("2b")) return ModelDimensions.cogVideoX2b();
        return null;
    }

    /** Reads a local diffusers folder: transformer config plus the parameter count from the safetensors headers. */
    static ModelDimensions fromFolder(Path dir) throws IOException {
        JsonNode c = ConfigJson.MAPPER.readTree(dir.resolve("transformer/config.json").toFile());
        long params = 0;
        try (Stream<Path> files = Files.list(dir.resolve("transformer"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
                try (SafetensorsFile st = SafetensorsFile.open(p)) {
                    for (TensorInfo t : st.tensors().values()) {
                        long n = 1;
                        for (long d : t.shape()) n *= d;
                        params += n;
                    }
                }
            }
        }
        Set<String> parts = new HashSet<>();
        for (String part : List.of("transformer", "vae", "text_encoder", "tokenizer", "scheduler")) {
            if (Files.isDirectory(dir.resolve(part))) parts.add(part);
        }
        return new ModelDimensions(dir.getFileName().toString(), c.path("num_layers").asInt(30),
                c.path("num_attention_heads").asInt(30), c.path("attention_head_dim").asInt(64),
                c.path("text_embed_dim").asInt(4096), c.path("time_embed_dim").asInt(512), c.path("in_channels").asInt(16),
                c.path("out_channels").asInt(16), c.path("patch_size").asInt(2),
                c.path("patch_size_t").isNumber() ? c.path("patch_size_t").asInt() : 0,
                c.path("max_text_seq_length").asInt(226), c.path("use_learned_positional_embeddings").asBoolean(false),
                params, parts);
    }
}

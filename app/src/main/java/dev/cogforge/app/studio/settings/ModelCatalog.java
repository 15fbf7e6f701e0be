package dev.cogforge.app.studio.settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;


import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
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

    /** Reads a local diffusers folder's dimensions (configs and safetensors headers; nothing is loaded). */
    static ModelDimensions fromFolder(Path dir) throws IOException {
        ModelFolder folder = ModelFolder.resolve(dir.toString());
        TransformerConfig config = TransformerConfig.read(folder.configFile(ModelFolder.Part.TRANSFORMER));
        return ModelDimensions.of(folder, config, null);
    }
}

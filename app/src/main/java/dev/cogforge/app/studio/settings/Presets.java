package dev.cogforge.app.studio.settings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.core.data.SampleDataset;
import dev.cogforge.core.demo.DemoModel;
import dev.cogforge.core.demo.VaePretrainer;
import dev.cogforge.core.io.ConfigJson;
import dev.cogforge.core.train.config.RunConfig;

/**
 * Starting points for a run config. The GPU presets are JSON files in ui-resources holding the seed README's settings
 * (applied over the defaults; the dataset, validation prompts and output folder the user already chose are kept). The
 * tiny CPU demo comes from {@code dev.cogforge.core.demo.DemoModel}, which creates its model folder on first use.
 */
public final class Presets {
    public static final String TINY_DEMO = "tiny-demo";

    public record Preset(String id, String title) {
        @Override
        public String toString() {
            return title;
        }
    }

    public static final List<Preset> ALL = List.of(
            new Preset(TINY_DEMO, "Tiny CPU demo"),
            new Preset("lora-2b", "CogVideoX-2b LoRA (seed settings)"),
            new Preset("lora-5b", "CogVideoX-5b LoRA"),
            new Preset("lora-5b-i2v", "CogVideoX-5b-I2V LoRA"));

    /** Where the demo preset puts its model, dataset and runs. */
    /**
     * Where the demo preset puts its model, dataset and runs, and the demo VAE's pre-training recipe (tests pass a
     * few-step recipe; the studio uses {@link DemoModel#VAE_PRETRAINING}).
     */
    public record Locations(Path modelCache, Path datasetDir, Path runsDir, VaePretrainer.Settings demoPretraining) {
        public Locations(Path modelCache, Path datasetDir, Path runsDir) {
            this(modelCache, datasetDir, runsDir, DemoModel.VAE_PRETRAINING);
        }
    }

    private Presets() {}

    public static Preset byId(String id) {
        return ALL.stream().filter(p -> p.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no preset '" + id + "'; known: " + ALL.stream().map(Preset::id).toList()));
    }

    /** May create files (the demo model, the sample dataset): call it off the FX thread. */
    public static RunConfig apply(Preset preset, RunConfig current, Locations where) throws IOException {
        if (preset.id().equals(TINY_DEMO)) return tinyDemo(current, where);
        RunConfig c = RunConfig.defaults();
        String resource = StudioResources.UI_ROOT + "presets/" + preset.id() + ".json";
        try (InputStream in = Presets.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("preset " + resource + " is missing from ui-resources");
            ConfigJson.MAPPER.readerForUpdating(c).readValue(in);
        }
        keepUserChoices(current, c);
        return c;
    }

    private static void keepUserChoices(RunConfig from, RunConfig to) {
        to.dataRoot = from.dataRoot;
        to.datasetFile = from.datasetFile;
        to.videoColumn = from.videoColumn;
        to.captionColumn = from.captionColumn;
        to.imageColumn = from.imageColumn;
        to.idToken = from.idToken;
        to.outputDir = from.outputDir;
        to.validationPrompt = from.validationPrompt;
        to.validationImages = from.validationImages;
    }

    private static RunConfig tinyDemo(RunConfig current, Locations where) throws IOException {
        Path dataset = current.dataRoot != null && !current.dataRoot.isBlank() ? Path.of(current.dataRoot) : where.datasetDir();
        if (dataset.equals(where.datasetDir())) SampleDataset.ensureInstalled(dataset);
        Path model = DemoModel.ensure(where.modelCache(), where.demoPretraining(), null);
        Path out = where.runsDir().resolve("demo-" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return DemoModel.runConfig(model, dataset, out);
    }
}

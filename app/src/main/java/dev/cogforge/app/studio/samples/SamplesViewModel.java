package dev.cogforge.app.studio.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.cogforge.core.data.CancellationToken;
import dev.cogforge.core.data.RgbFrame;
import dev.cogforge.core.data.VideoReader;
import dev.cogforge.core.train.config.RunConfig;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.property.LongProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.image.Image;

/**
 * Samples page state: a run's validation videos grouped by step ({@code validation/step-N/*.mp4}, or a step number in
 * the file name), first-frame thumbnails decoded off the FX thread, a two-step comparison, and the "try your LoRA"
 * form that renders with the run's LoRA through a {@link SamplingService}.
 */
public final class SamplesViewModel {
    /** Validation videos of one step; {@code step} is -1 when the path names no step. */
    public record StepGroup(long step, List<Path> videos) {
        @Override
        public String toString() {
            return step < 0 ? "final" : "step " + step;
        }
    }

    private static final Pattern STEP = Pattern.compile("(?i)step[-_ ]?(\\d+)");

    private final Executor background;
    private final Executor fx;
    private final SamplingService sampler;
    private final VideoOpener opener;
    private final ObjectProperty<Path> runDir = new SimpleObjectProperty<>();
    private final ObservableList<StepGroup> groups = FXCollections.observableArrayList();
    private final ObjectProperty<StepGroup> compareLeft = new SimpleObjectProperty<>();
    private final ObjectProperty<StepGroup> compareRight = new SimpleObjectProperty<>();
    private final Map<Path, Image> thumbnails = new ConcurrentHashMap<>();
    private final StringProperty status = new SimpleStringProperty("");

    private final StringProperty prompt = new SimpleStringProperty("");
    private final LongProperty seed = new SimpleLongProperty(42);
    private final IntegerProperty steps = new SimpleIntegerProperty(50);
    private final DoubleProperty guidance = new SimpleDoubleProperty(6.0);
    private final DoubleProperty loraWeight = new SimpleDoubleProperty(1.0);
    private final BooleanProperty generating = new SimpleBooleanProperty(false);
    private final DoubleProperty generateProgress = new SimpleDoubleProperty(0);
    private final StringProperty generateStatus = new SimpleStringProperty("");
    private final ObjectProperty<Path> generated = new SimpleObjectProperty<>();
    private volatile CancellationToken generateCancel;

    public SamplesViewModel(Executor background, Executor fx, SamplingService sampler, VideoOpener opener) {
        this.background = background;
        this.fx = fx;
        this.sampler = sampler;
        this.opener = opener;
        runDir.addListener((o, a, b) -> refresh());
    }

    public ObjectProperty<Path> runDirProperty() { return runDir; }
    public ObservableList<StepGroup> groups() { return groups; }
    public ObjectProperty<StepGroup> compareLeftProperty() { return compareLeft; }
    public ObjectProperty<StepGroup> compareRightProperty() { return compareRight; }
    public StringProperty statusProperty() { return status; }
    public StringProperty promptProperty() { return prompt; }
    public LongProperty seedProperty() { return seed; }
    public IntegerProperty stepsProperty() { return steps; }
    public DoubleProperty guidanceProperty() { return guidance; }
    public DoubleProperty loraWeightProperty() { return loraWeight; }
    public BooleanProperty generatingProperty() { return generating; }
    public DoubleProperty generateProgressProperty() { return generateProgress; }
    public StringProperty generateStatusProperty() { return generateStatus; }
    public ObjectProperty<Path> generatedProperty() { return generated; }

    /** Rescans the run folder off the FX thread (also called when training reports a new validation video). */
    public void refresh() {
        Path dir = runDir.get();
        if (dir == null) {
            groups.clear();
            return;
        }
        background.execute(() -> {
            List<StepGroup> found = scan(dir);
            fx.execute(() -> {
                groups.setAll(found);
                status.set(found.isEmpty() ? "no validation videos in " + dir + " yet"
                        : found.stream().mapToInt(g -> g.videos().size()).sum() + " validation video(s) in " + found.size() + " step(s)");
                if (compareLeft.get() == null || !found.contains(compareLeft.get())) compareLeft.set(found.isEmpty() ? null : found.getFirst());
                if (compareRight.get() == null || !found.contains(compareRight.get())) compareRight.set(found.isEmpty() ? null : found.getLast());
            });
        });
    }

    static List<StepGroup> scan(Path runDir) {
        Path validation = runDir.resolve("validation");
        if (!Files.isDirectory(validation)) return List.of();
        Map<Long, List<Path>> bySteps = new TreeMap<>();
        try (Stream<Path> s = Files.walk(validation)) {
            s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mp4"))
                    .sorted()
                    .forEach(p -> bySteps.computeIfAbsent(stepOf(validation.relativize(p)), k -> new ArrayList<>()).add(p));
        } catch (IOException e) {
            return List.of();
        }
        List<StepGroup> out = new ArrayList<>();
        bySteps.forEach((step, videos) -> out.add(new StepGroup(step, List.copyOf(videos))));
        // "final" (no step) videos come last: they are rendered after the last step
        out.sort((a, b) -> Long.compare(a.step() < 0 ? Long.MAX_VALUE : a.step(), b.step() < 0 ? Long.MAX_VALUE : b.step()));
        return out;
    }

    static long stepOf(Path relative) {
        // the final test is rendered after the last step from the saved files: its own group, whatever its file names say
        if (relative.getNameCount() > 1 && relative.getName(0).toString().equals(dev.cogforge.core.train.Trainer.FINAL_TEST_FOLDER)) return -1;
        for (int i = 0; i < relative.getNameCount(); i++) {
            Matcher m = STEP.matcher(relative.getName(i).toString());
            if (m.find()) return Long.parseLong(m.group(1));
        }
        return -1;
    }

    /** Delivers the first frame of {@code video} on the FX thread (decoded once, then cached); null when undecodable. */
    public void thumbnail(Path video, Consumer<Image> onFx) {
        Image cached = thumbnails.get(video);
        if (cached != null) {
            onFx.accept(cached);
            return;
        }
        background.execute(() -> {
            Image img;
            try {
                RgbFrame f = VideoReader.thumbnail(video, 192);
                img = FramePreviewWindow.toImage(f);
                thumbnails.put(video, img);
            } catch (Exception e) {
                img = null;
            }
            Image result = img;
            fx.execute(() -> onFx.accept(result));
        });
    }

    public void play(StepGroup group) {
        opener.open(group.toString(), group.videos());
    }

    public void play(Path video) {
        opener.open(video.getFileName().toString(), List.of(video));
    }

    /** Opens the compared steps side by side (first video of each). */
    public void compare() {
        StepGroup a = compareLeft.get(), b = compareRight.get();
        if (a == null || b == null) {
            status.set("choose two steps to compare");
            return;
        }
        opener.open(a + " vs " + b, List.of(a.videos().getFirst(), b.videos().getFirst()));
    }

    // ---- try your LoRA

    public void generate() {
        Path dir = runDir.get();
        if (dir == null) {
            generateStatus.set("Choose a run first (Train page → past runs, or train one).");
            return;
        }
        if (prompt.get() == null || prompt.get().isBlank()) {
            generateStatus.set("Write a prompt first.");
            return;
        }
        RunConfig config;
        try {
            config = RunConfig.load(dir.resolve("config.json"));
        } catch (IOException | RuntimeException e) {
            generateStatus.set("The run's config.json cannot be read: " + e.getMessage());
            return;
        }
        Path lora = dir.resolve("pytorch_lora_weights.safetensors");
        if (!Files.isRegularFile(lora)) {
            generateStatus.set("This run has not saved LoRA weights yet (" + lora.getFileName() + " is missing).");
            return;
        }
        int frames = config.frameBuckets.stream().mapToInt(Integer::intValue).max().orElse(config.maxNumFrames);
        int height = config.heightBuckets.isEmpty() ? config.height : config.heightBuckets.getFirst();
        int width = config.widthBuckets.isEmpty() ? config.width : config.widthBuckets.getFirst();
        Path out = dir.resolve("samples").resolve("sample-" + System.currentTimeMillis() + ".mp4");
        SamplingService.Request request = new SamplingService.Request(config.pretrainedModelNameOrPath, lora, loraWeight.get(),
                prompt.get().strip(), "", seed.get(), steps.get(), guidance.get(), frames, height, width, config.fps, out);
        CancellationToken token = new CancellationToken();
        generateCancel = token;
        generating.set(true);
        generateProgress.set(-1);
        generateStatus.set("loading the model…");
        background.execute(() -> {
            try {
                Files.createDirectories(out.getParent());
                Path video = sampler.generate(request, (done, total) -> fx.execute(() -> {
                    generateProgress.set(total > 0 ? done / (double) total : -1);
                    generateStatus.set("step " + done + "/" + total);
                }), token);
                fx.execute(() -> {
                    generating.set(false);
                    generateProgress.set(1);
                    generateStatus.set("done: " + video.getFileName());
                    generated.set(video);
                });
            } catch (Exception e) {
                boolean cancelled = token.isCancelled();
                fx.execute(() -> {
                    generating.set(false);
                    generateProgress.set(0);
                    generateStatus.set(cancelled ? "cancelled" : "Generation failed: " + e.getMessage());
                });
            }
        });
    }

    public void cancelGenerate() {
        CancellationToken t = generateCancel;
        if (t != null) t.cancel();
    }
}

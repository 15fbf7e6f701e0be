package dev.cogforge.app.studio.settings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Devices;
import dev.cogforge.core.train.MemoryEstimator;
import dev.cogforge.core.train.ModelDimensions;
import dev.cogforge.core.train.config.ConfigProblem;
import dev.cogforge.core.train.config.FactoryCommandLineImporter;
import dev.cogforge.core.train.config.FactoryFlags;
import dev.cogforge.core.train.config.RunConfig;
import dev.cogforge.core.train.config.RunConfigValidator;
import dev.cogforge.core.train.config.ValidationReport;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The run-config form: one {@link FieldState} per setting, re-parsed and re-validated on every edit, with the problems
 * attached to their fields and listed together, and the memory estimate for the chosen GPU size kept current.
 * All methods are called on the FX thread except the preset work, which goes to the background executor.
 */
public final class SettingsViewModel {
    /** A form field: its text, and the first problem of its key (empty when none). */
    public static final class FieldState {
        private final ConfigField field;
        private final StringProperty text = new SimpleStringProperty("");
        private final StringProperty problem = new SimpleStringProperty("");
        private final BooleanProperty error = new SimpleBooleanProperty(false);

        FieldState(ConfigField field) {
            this.field = field;
        }

        public ConfigField field() {
            return field;
        }

        public StringProperty textProperty() {
            return text;
        }

        public StringProperty problemProperty() {
            return problem;
        }

        public BooleanProperty errorProperty() {
            return error;
        }
    }

    public static final List<Integer> DEVICE_SIZES_GB = List.of(8, 12, 16, 24, 40, 48, 80, 96, 141);

    private final Executor background;
    private final Executor fx;
    private final Presets.Locations locations;
    private final Map<String, FieldState> fields = new LinkedHashMap<>();
    private final ObservableList<ConfigProblem> problems = FXCollections.observableArrayList();
    private final BooleanProperty valid = new SimpleBooleanProperty(false);
    private final StringProperty estimateText = new SimpleStringProperty("");
    private final StringProperty estimateDetail = new SimpleStringProperty("");
    private final BooleanProperty fits = new SimpleBooleanProperty(true);
    private final ReadOnlyObjectWrapper<MemoryEstimator.Estimate> estimate = new ReadOnlyObjectWrapper<>();
    private final ObjectProperty<ModelCatalog> estimateModel = new SimpleObjectProperty<>(ModelCatalog.AUTO);
    private final IntegerProperty deviceGb = new SimpleIntegerProperty(24);
    private final BooleanProperty busy = new SimpleBooleanProperty(false);
    private final StringProperty message = new SimpleStringProperty("");
    private final ObservableList<ComputeDevice> devices = FXCollections.observableArrayList(ComputeDevice.CPU);
    private final ObjectProperty<ComputeDevice> computeDevice = new SimpleObjectProperty<>(ComputeDevice.CPU);
    private final IntegerProperty processes = new SimpleIntegerProperty(1);
    /** Which GPUs a multi-process run uses, e.g. "0,2,3"; empty = the chosen device and the GPUs after it. */
    private final StringProperty gpus = new SimpleStringProperty("");
    private final int cpuCores = Runtime.getRuntime().availableProcessors();
    private RunConfig base = RunConfig.defaults();
    private RunConfig parsed = RunConfig.defaults();
    private boolean bulkUpdate;

    public SettingsViewModel(Executor background, Executor fx, Presets.Locations locations) {
        this.background = background;
        this.fx = fx;
        this.locations = locations;
        for (ConfigField f : ConfigField.all()) {
            FieldState s = new FieldState(f);
            s.text.addListener((o, a, b) -> {
                if (!bulkUpdate) recompute();
            });
            fields.put(f.key(), s);
        }
        estimateModel.addListener((o, a, b) -> recompute());
        deviceGb.addListener((o, a, b) -> recompute());
        computeDevice.addListener((o, a, b) -> recompute());
        processes.addListener((o, a, b) -> recompute());
        gpus.addListener((o, a, b) -> recompute());
        setConfig(RunConfig.defaults());
    }

    public List<FieldState> fields() {
        return List.copyOf(fields.values());
    }

    public FieldState field(String key) {
        FieldState s = fields.get(key);
        if (s == null) throw new IllegalArgumentException("no run config setting '" + key + "'");
        return s;
    }

    public ObservableList<ConfigProblem> problems() {
        return problems;
    }

    public BooleanProperty validProperty() {
        return valid;
    }

    public StringProperty estimateTextProperty() {
        return estimateText;
    }

    public StringProperty estimateDetailProperty() {
        return estimateDetail;
    }

    public BooleanProperty fitsProperty() {
        return fits;
    }

    public ReadOnlyObjectProperty<MemoryEstimator.Estimate> estimateProperty() {
        return estimate.getReadOnlyProperty();
    }

    public ObjectProperty<ModelCatalog> estimateModelProperty() {
        return estimateModel;
    }

    public IntegerProperty deviceGbProperty() {
        return deviceGb;
    }

    /** The devices a run can use here: the CPU, then each CUDA device ({@link #refreshDevices()} fills it in). */
    public ObservableList<ComputeDevice> devices() {
        return devices;
    }

    /** Where a run started from the studio computes (a multi-process run uses one GPU per process instead). */
    public ObjectProperty<ComputeDevice> computeDeviceProperty() {
        return computeDevice;
    }

    /** Data-parallel worker processes for a run; 1 trains inside the studio, more start worker JVMs. */
    public IntegerProperty processesProperty() {
        return processes;
    }

    /** The GPUs field: CUDA device indices separated by commas, one per process; empty chooses them automatically. */
    public StringProperty gpusProperty() {
        return gpus;
    }

    /**
     * The CUDA device indices a run's ranks use, rank k on the k-th: the GPUs field when filled in, else every GPU here
     * starting at the chosen device (wrapping around). Empty on the CPU.
     */
    public List<Integer> gpusForRun() {
        ComputeDevice d = computeDevice.get();
        if (d == null || !d.isCuda()) return List.of();
        List<Integer> chosen = parseGpus(gpus.get());
        if (chosen != null && !chosen.isEmpty()) return chosen;
        List<Integer> all = devices.stream().filter(ComputeDevice::isCuda).map(ComputeDevice::index).toList();
        List<Integer> out = new ArrayList<>();
        int start = Math.max(0, all.indexOf(d.index()));
        for (int i = 0; i < all.size(); i++) out.add(all.get((start + i) % all.size()));
        return out;
    }

    /** The indices in "0, 2,3"; null when the text is not such a list. */
    static List<Integer> parseGpus(String text) {
        List<Integer> out = new ArrayList<>();
        if (text == null || text.isBlank()) return out;
        for (String part : text.split(",")) {
            String t = part.strip();
            if (!t.matches("\\d{1,4}")) return null;
            out.add(Integer.parseInt(t));
        }
        return out;
    }

    /** The most processes the chosen device allows: one per GPU, or one per CPU core. */
    public int maxProcesses() {
        if (!computeDevice.get().isCuda()) return cpuCores;
        return (int) Math.max(1, devices.stream().filter(ComputeDevice::isCuda).count());
    }

    /** Asks libtorch (off the FX thread: the first call loads the natives) which devices exist and which one to prefer. */
    public void refreshDevices() {
        background.execute(() -> {
            List<ComputeDevice> all;
            ComputeDevice preferred;
            try {
                all = Devices.all();
                preferred = Devices.preferred();
            } catch (RuntimeException | LinkageError e) {
                // the override names a missing GPU, or the natives do not load: the CPU still works for the estimate
                all = List.of(ComputeDevice.CPU);
                preferred = ComputeDevice.CPU;
            }
            List<ComputeDevice> found = all;
            ComputeDevice choice = preferred;
            fx.execute(() -> setAvailableDevices(found, choice));
        });
    }

    /** Replaces the device list; the current choice is kept while it still exists, else {@code preferred} is chosen. */
    public void setAvailableDevices(List<ComputeDevice> available, ComputeDevice preferred) {
        devices.setAll(available);
        if (!available.contains(computeDevice.get()) || computeDevice.get().equals(ComputeDevice.CPU)) {
            computeDevice.set(available.contains(preferred) ? preferred : available.getFirst());
        }
        recompute();
    }

    public BooleanProperty busyProperty() {
        return busy;
    }

    /** The last user-facing outcome (preset applied, file saved, what went wrong). */
    public StringProperty messageProperty() {
        return message;
    }

    /** An independent copy of the config as the form currently reads (fields that do not parse keep their last value). */
    public RunConfig config() {
        return parsed.copy();
    }

    public void setConfig(RunConfig config) {
        base = config.copy();
        bulkUpdate = true;
        try {
            for (FieldState s : fields.values()) s.text.set(s.field.format(base));
        } finally {
            bulkUpdate = false;
        }
        recompute();
    }

    private void recompute() {
        RunConfig c = base.copy();
        List<ConfigProblem> all = new ArrayList<>();
        for (FieldState s : fields.values()) {
            String parseProblem = s.field.parseInto(c, s.text.get());
            if (parseProblem != null) all.add(ConfigProblem.error(s.field.key(), parseProblem));
        }
        ModelDimensions dims = estimateModel.get().dimensions(c.pretrainedModelNameOrPath);
        ValidationReport report = RunConfigValidator.validate(c, dims);
        all.addAll(report.problems());
        all.addAll(deviceProblems());
        parsed = c;
        problems.setAll(all);
        valid.set(all.stream().noneMatch(ConfigProblem::isError));
        Map<String, List<ConfigProblem>> byKey = all.stream().collect(Collectors.groupingBy(ConfigProblem::key));
        for (FieldState s : fields.values()) {
            List<ConfigProblem> mine = byKey.getOrDefault(s.field.key(), List.of());
            s.problem.set(mine.stream().map(ConfigProblem::message).collect(Collectors.joining("; ")));
            s.error.set(mine.stream().anyMatch(ConfigProblem::isError));
        }
        updateEstimate(c, dims);
    }

    /** Reported under the keys {@code device} and {@code processes} (settings of the studio, not of the run config). */
    private List<ConfigProblem> deviceProblems() {
        List<ConfigProblem> out = new ArrayList<>();
        ComputeDevice d = computeDevice.get();
        if (d == null) {
            out.add(ConfigProblem.error("device", "choose a device"));
        } else if (!devices.contains(d)) {
            out.add(ConfigProblem.error("device", d + " is not available here (available: " + devices + ")"));
        }
        int n = processes.get();
        int max = d == null ? 1 : maxProcesses();
        if (n < 1) {
            out.add(ConfigProblem.error("processes", "must be at least 1, got " + n));
        } else if (n > max) {
            out.add(ConfigProblem.error("processes", n + " processes need " + n + (d != null && d.isCuda() ? " GPUs" : " CPU cores")
                    + ", only " + max + " available"));
        } else if (n > 1) {
            out.add(ConfigProblem.warning("processes", MULTI_PROCESS_NOTE.formatted(n)));
        }
        String gpuText = gpus.get();
        if (gpuText != null && !gpuText.isBlank()) {
            List<Integer> chosen = parseGpus(gpuText);
            List<Integer> here = devices.stream().filter(ComputeDevice::isCuda).map(ComputeDevice::index).toList();
            if (d == null || !d.isCuda()) {
                out.add(ConfigProblem.warning("gpus", "ignored: the run computes on " + d + " (choose a GPU as the device to use these)"));
            } else if (chosen == null) {
                out.add(ConfigProblem.error("gpus", "expected GPU indices separated by commas, e.g. 0,2,3; got '" + gpuText + "'"));
            } else if (chosen.stream().distinct().count() != chosen.size()) {
                out.add(ConfigProblem.error("gpus", "a GPU can train only one process; listed twice: " + chosen));
            } else if (!here.containsAll(chosen)) {
                List<Integer> missing = chosen.stream().filter(i -> !here.contains(i)).toList();
                out.add(ConfigProblem.error("gpus", "not available here: " + missing + " (GPUs here: " + here + ")"));
            } else if (chosen.size() != n) {
                out.add(ConfigProblem.error("gpus", "one GPU per process: " + chosen.size() + " GPU(s) listed for " + n + " process(es)"));
            }
        }
        return out;
    }

    /** Shown for runs with several processes: what will happen, and the same run from the command line. */
    public static final String MULTI_PROCESS_NOTE = "trains with %1$d worker processes (data-parallel); the same run from the "
            + "command line: save the config (Save config…) and run  cogforge train --config RUN.json --nproc %1$d";

    private void updateEstimate(RunConfig c, ModelDimensions dims) {
        if (dims == null) {
            estimate.set(null);
            fits.set(true);
            estimateText.set("memory estimate: choose the model size (the model '" + c.pretrainedModelNameOrPath + "' is not recognised)");
            estimateDetail.set("");
            return;
        }
        MemoryEstimator.Estimate e;
        try {
            // per rank: with shard_optimizer_state each of the processes keeps 1/N of the optimizer state
            e = MemoryEstimator.estimate(MemoryEstimator.Inputs.of(c, dims, processes.get()));
        } catch (RuntimeException ex) {
            estimate.set(null);
            estimateText.set("memory estimate unavailable: " + ex.getMessage());
            estimateDetail.set("");
            return;
        }
        estimate.set(e);
        long capacity = deviceGb.get() * (1L << 30);
        boolean withValidation = !c.validationPrompts().isEmpty();
        long needed = withValidation ? e.peakWithValidation() : e.peakBeforeValidation();
        fits.set(needed <= capacity);
        estimateText.set(String.format("%s in %d GB: est. %.1f GB peak, %.1f GB with validation (%s)",
                needed <= capacity ? "fits" : "does not fit", deviceGb.get(), gb(e.peakBeforeValidation()),
                gb(e.peakWithValidation()), dims.name()));
        estimateDetail.set(e.describe());
    }

    private static double gb(long bytes) {
        return bytes / (double) (1L << 30);
    }

    // ---- commands

    public void applyPreset(Presets.Preset preset) {
        RunConfig current = config();
        busy.set(true);
        message.set("applying preset " + preset.title() + "…");
        background.execute(() -> {
            try {
                RunConfig c = Presets.apply(preset, current, locations);
                fx.execute(() -> {
                    setConfig(c);
                    busy.set(false);
                    message.set("preset " + preset.title() + " applied");
                });
            } catch (IOException | RuntimeException e) {
                fx.execute(() -> {
                    busy.set(false);
                    message.set("preset " + preset.title() + " could not be applied: " + e.getMessage());
                });
            }
        });
    }

    public void save(Path file) throws IOException {
        config().save(file);
        message.set("saved " + file);
    }

    public void load(Path file) throws IOException {
        setConfig(RunConfig.load(file));
        message.set("loaded " + file);
    }

    /** What an imported command line did: applied when it had no errors, and every flag that was not taken over. */
    public record ImportSummary(boolean applied, String script, List<String> unsupported, List<String> errors, List<String> notes) {}

    public ImportSummary importCommandLine(String text) {
        FactoryCommandLineImporter.Imported imported;
        try {
            imported = FactoryCommandLineImporter.importText(text, config());
        } catch (IllegalArgumentException e) {
            return new ImportSummary(false, null, List.of(), List.of(e.getMessage()), List.of());
        }
        FactoryFlags.Result r = imported.result();
        List<String> unsupported = new ArrayList<>();
        r.ignored().forEach(i -> unsupported.add(i.toString()));
        r.unresolved().forEach(u -> unsupported.add(u + ": unresolved shell variable"));
        boolean apply = r.errors().isEmpty();
        if (apply) {
            setConfig(imported.config());
            message.set("imported " + imported.script() + (unsupported.isEmpty() ? "" : " (" + unsupported.size() + " flag(s) not used)"));
        }
        return new ImportSummary(apply, imported.script(), unsupported, r.errors(), r.notes());
    }
}

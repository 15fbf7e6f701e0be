package dev.cogforge.app.studio.project;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.cogforge.app.studio.MainViewModel;
import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.app.studio.dataset.DatasetViewModel;
import dev.cogforge.app.studio.settings.SettingsViewModel;
import dev.cogforge.app.studio.train.TrainViewModel;
import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.project.RecentProjects;
import dev.cogforge.core.project.StudioProject;
import dev.cogforge.core.train.config.RunConfig;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The open project ({@code *.cogforge.json}): opening one points the Dataset page at its dataset, the Settings page at
 * its run config and the Train page at its runs folder; saving writes what those pages hold now. Project files are a
 * few kilobytes, so they are read and written on the FX thread; the dataset itself loads in the background as usual.
 */
public final class ProjectViewModel {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MainViewModel main;
    private final DatasetViewModel dataset;
    private final SettingsViewModel settings;
    private final TrainViewModel train;
    private final RecentProjects recentStore;
    private final Path sampleDataset;
    private final ReadOnlyObjectWrapper<Path> projectFile = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<StudioProject> project = new ReadOnlyObjectWrapper<>();
    private final ObservableList<Path> recent = FXCollections.observableArrayList();
    private final StringProperty message = new SimpleStringProperty("");

    public ProjectViewModel(MainViewModel main, DatasetViewModel dataset, SettingsViewModel settings, TrainViewModel train,
            RecentProjects recentStore, Path sampleDataset) {
        this.main = main;
        this.dataset = dataset;
        this.settings = settings;
        this.train = train;
        this.recentStore = recentStore;
        this.sampleDataset = sampleDataset;
        refreshRecent();
    }

    public ReadOnlyObjectProperty<Path> projectFileProperty() {
        return projectFile.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StudioProject> projectProperty() {
        return project.getReadOnlyProperty();
    }

    /** Recently opened or saved project files that still exist, most recent first. */
    public ObservableList<Path> recent() {
        return recent;
    }

    /** The last outcome (opened, saved, what went wrong), for the status line. */
    public StringProperty messageProperty() {
        return message;
    }

    /** The most recent project that still exists, to reopen on start. */
    public Path lastProject() {
        refreshRecent();
        return recent.isEmpty() ? null : recent.getFirst();
    }

    public void refreshRecent() {
        try {
            recent.setAll(recentStore.list());
        } catch (IOException e) {
            message.set("Recent projects could not be read: " + e.getMessage());
        }
    }

    /** The file name a project called {@code name} gets: letters, digits, '-', '_' and '.' kept, the rest '-'. */
    public static String fileNameFor(String name) {
        String slug = name.strip().replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[-.]+|-+$", "");
        return (slug.isEmpty() ? "project" : slug) + StudioProject.EXTENSION;
    }

    /**
     * A new project in {@code folder}: the dataset open on the Dataset page (the bundled sample when none is), the
     * Settings page's run config with its data and output folders pointed into the project, runs in {@code folder/runs}.
     */
    public Path create(String name, Path folder) throws IOException {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("the project needs a name");
        Files.createDirectories(folder);
        Path file = folder.resolve(fileNameFor(name)).toAbsolutePath().normalize();
        if (Files.exists(file)) throw new IOException(file + " already exists: open it, or choose another name or folder");
        Path data = currentDatasetRoot();
        if (data == null) {
            data = sampleDataset;
            dataset.openSample(sampleDataset);
        }
        Path runs = file.getParent().resolve("runs");
        RunConfig config = settings.config();
        config.dataRoot = data.toAbsolutePath().normalize().toString();
        config.outputDir = newRunFolder(runs, name).toString();
        settings.setConfig(config);
        StudioProject p = StudioProject.create(name.strip(), file, data, toJson(config));
        p.save(file);
        becomeCurrent(file, p);
        message.set("created project " + p.name() + " (" + file + ")");
        return file;
    }

    /** Opens a project: dataset, run config, runs folder, title; remembered as the most recent. */
    public CompletableFuture<Dataset> open(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        StudioProject p = StudioProject.load(abs);
        RunConfig config = p.runConfig() == null || p.runConfig().isNull()
                ? RunConfig.defaults() : RunConfig.fromJson(JSON.writeValueAsString(p.runConfig()), abs + " (run_config)");
        Path data = p.datasetPath(abs);
        settings.setConfig(config);
        becomeCurrent(abs, p);
        message.set("opened project " + p.name());
        if (data == null) return CompletableFuture.completedFuture(null);
        return dataset.open(data);
    }

    /** Writes the open project back to its file; false when no project is open (the caller asks where: Save as). */
    public boolean save() throws IOException {
        Path file = projectFile.get();
        if (file == null) return false;
        write(file, project.get().name(), project.get());
        return true;
    }

    /** Writes the current state to {@code file}, which becomes the open project (named after the file). */
    public Path saveAs(Path file) throws IOException {
        Path abs = withExtension(file).toAbsolutePath().normalize();
        String fileName = abs.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - StudioProject.EXTENSION.length());
        write(abs, name, null);
        return abs;
    }

    private void write(Path file, String name, StudioProject previous) throws IOException {
        Path data = currentDatasetRoot();
        if (data == null && previous != null) data = previous.datasetPath(projectFile.get());
        // the runs listed on the Train page stay this project's runs; a first save puts them beside the file, and
        // the next run there too, so that it is listed with the project
        boolean first = previous == null && projectFile.get() == null;
        Path runs = first ? file.getParent().resolve("runs") : train.runsDirProperty().get();
        if (runs == null) runs = file.getParent().resolve("runs");
        RunConfig current = settings.config();
        if (first && (current.outputDir == null || !Path.of(current.outputDir).toAbsolutePath().normalize().startsWith(runs.toAbsolutePath().normalize()))) {
            current.outputDir = newRunFolder(runs, name).toString();
            settings.setConfig(current);
        }
        JsonNode config = toJson(current);
        StudioProject fresh = StudioProject.create(name, file, data, config);
        Path base = file.getParent();
        Path runsAbs = runs.toAbsolutePath().normalize();
        String storedRuns = runsAbs.startsWith(base) ? base.relativize(runsAbs).toString() : runsAbs.toString();
        StudioProject p = new StudioProject(fresh.version(), fresh.name(), fresh.dataset(), storedRuns.isEmpty() ? "." : storedRuns, config);
        Files.createDirectories(base);
        p.save(file);
        becomeCurrent(file, p);
        message.set("saved project " + p.name() + " to " + file);
    }

    private static Path newRunFolder(Path runs, String projectName) {
        return runs.toAbsolutePath().normalize().resolve(fileNameFor(projectName).replace(StudioProject.EXTENSION, "") + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    private void becomeCurrent(Path file, StudioProject p) throws IOException {
        projectFile.set(file);
        project.set(p);
        main.titleProperty().set(titleFor(p.name()));
        train.runsDirProperty().set(p.runsPath(file));
        train.refreshRuns();
        recentStore.add(file);
        refreshRecent();
    }

    public static String titleFor(String projectName) {
        return StudioResources.text("app.title") + " — " + projectName;
    }

    private Path currentDatasetRoot() {
        Dataset ds = dataset.dataset();
        return ds == null ? null : ds.root();
    }

    private static Path withExtension(Path file) {
        String n = file.getFileName().toString();
        if (n.endsWith(StudioProject.EXTENSION)) return file;
        if (n.endsWith(".json")) n = n.substring(0, n.length() - ".json".length());
        return file.resolveSibling(n + StudioProject.EXTENSION);
    }

    private static JsonNode toJson(RunConfig config) throws IOException {
        return JSON.readTree(config.toJson());
    }

    /** How the Recent projects menu names a file: the project's file name and its folder. */
    public static String label(Path projectFile) {
        String n = projectFile.getFileName().toString();
        return n.substring(0, n.length() - StudioProject.EXTENSION.length()) + "  (" + projectFile.getParent() + ")";
    }
}

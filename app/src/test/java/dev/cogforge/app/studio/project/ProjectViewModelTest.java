package dev.cogforge.app.studio.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.FxThread;
import dev.cogforge.app.studio.MainViewModel;
import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.app.studio.dataset.DatasetViewModel;
import dev.cogforge.app.studio.export.RunFolders;
import dev.cogforge.app.studio.settings.Presets;
import dev.cogforge.app.studio.settings.SettingsViewModel;
import dev.cogforge.app.studio.train.FakeTrainer;
import dev.cogforge.app.studio.train.TrainViewModel;
import dev.cogforge.core.data.SampleDataset;
import dev.cogforge.core.project.RecentProjects;
import dev.cogforge.core.project.StudioProject;
import dev.cogforge.core.train.config.RunConfig;

import javafx.application.Platform;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectViewModelTest {
    @TempDir
    Path tmp;
    private final ExecutorService background = Executors.newFixedThreadPool(2);
    private MainViewModel main;
    private DatasetViewModel dataset;
    private SettingsViewModel settings;
    private TrainViewModel train;
    private ProjectViewModel project;

    @BeforeEach
    void setUp() throws Exception {
        FxThread.start();
        FxThread.run(() -> {
            main = new MainViewModel();
            dataset = new DatasetViewModel(background);
            settings = new SettingsViewModel(Runnable::run, Runnable::run, new Presets.Locations(tmp, tmp, tmp));
            train = new TrainViewModel(new FakeTrainer(tmp.resolve("unused")), settings, background, Platform::runLater);
            project = new ProjectViewModel(main, dataset, settings, train, new RecentProjects(tmp.resolve("config")),
                    tmp.resolve("sample"));
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        FxThread.run(dataset::close);
        background.shutdownNow();
    }

    private void openDataset(Path dir) throws Exception {
        SampleDataset.ensureInstalled(dir);
        FxThread.call(() -> dataset.open(dir)).get(30, TimeUnit.SECONDS);
    }

    private void setField(String key, String value) throws Exception {
        FxThread.run(() -> settings.field(key).textProperty().set(value));
    }

    /** Runs {@code work} on the FX thread and returns what it threw (caught there, so TestFX does not print it). */
    private static Exception failureOf(java.util.concurrent.Callable<?> work) throws Exception {
        Exception thrown = FxThread.call(() -> {
            try {
                work.call();
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        if (thrown == null) throw new AssertionError("expected a failure");
        return thrown;
    }

    @Test
    void saveThenOpenRestoresDatasetSettingsRunsAndTitle() throws Exception {
        Path datasetA = tmp.resolve("data-a");
        openDataset(datasetA);
        setField("rank", "7");
        setField("learning_rate", "0.00025");
        Path projectDir = tmp.resolve("proj");
        RunFolders.create(projectDir.resolve("runs").resolve("run-1"));

        Path file = FxThread.call(() -> project.saveAs(projectDir.resolve("shapes-lora")));
        assertEquals(projectDir.resolve("shapes-lora" + StudioProject.EXTENSION).toAbsolutePath(), file);
        StudioProject stored = StudioProject.load(file);
        assertEquals("shapes-lora", stored.name());
        assertEquals(datasetA.toAbsolutePath().normalize(), stored.datasetPath(file));
        assertEquals("runs", stored.runsDir());
        assertEquals(7, stored.runConfig().get("rank").asInt());
        String outputDir = FxThread.call(() -> settings.config().outputDir);
        assertTrue(Path.of(outputDir).startsWith(projectDir.resolve("runs").toAbsolutePath()), "the next run is listed with the project: " + outputDir);
        assertEquals(outputDir, stored.runConfig().get("output_dir").asText());
        assertEquals(StudioResources.text("app.title") + " — shapes-lora", FxThread.call(() -> main.titleProperty().get()));

        // everything changes, then the project comes back
        Path datasetB = tmp.resolve("data-b");
        openDataset(datasetB);
        setField("rank", "3");
        FxThread.run(() -> {
            train.runsDirProperty().set(tmp.resolve("elsewhere"));
            main.titleProperty().set("other");
        });

        FxThread.call(() -> project.open(file)).get(30, TimeUnit.SECONDS);
        assertEquals(datasetA.toAbsolutePath().normalize(), FxThread.call(() -> dataset.dataset().root().toAbsolutePath().normalize()));
        RunConfig restored = FxThread.call(settings::config);
        assertEquals(7, restored.rank);
        assertEquals(0.00025, restored.learningRate, 1e-12);
        assertEquals(projectDir.resolve("runs").toAbsolutePath(), FxThread.call(() -> train.runsDirProperty().get()));
        FxThread.await(10, () -> train.runs().size() == 1);
        assertEquals("run-1", FxThread.call(() -> train.runs().getFirst().name()));
        assertEquals(StudioResources.text("app.title") + " — shapes-lora", FxThread.call(() -> main.titleProperty().get()));

        // Save (not as) writes the edits into the same file
        setField("rank", "9");
        assertTrue(FxThread.call(project::save));
        assertEquals(9, StudioProject.load(file).runConfig().get("rank").asInt());
    }

    @Test
    void recentProjectsAreMostRecentFirstAndForgetDeletedFiles() throws Exception {
        openDataset(tmp.resolve("data"));
        assertNull(FxThread.call(project::lastProject));
        Path one = FxThread.call(() -> project.saveAs(tmp.resolve("a").resolve("one.cogforge.json")));
        Path two = FxThread.call(() -> project.saveAs(tmp.resolve("b").resolve("two.json")));
        assertTrue(two.getFileName().toString().equals("two" + StudioProject.EXTENSION), two.toString());
        assertEquals(List.of(two, one), FxThread.call(() -> List.copyOf(project.recent())));
        FxThread.call(() -> project.open(one)).get(30, TimeUnit.SECONDS);
        assertEquals(List.of(one, two), FxThread.call(() -> List.copyOf(project.recent())));
        assertEquals(one, FxThread.call(project::lastProject));

        Files.delete(one);
        assertEquals(two, FxThread.call(project::lastProject));
        assertEquals(List.of(two), FxThread.call(() -> List.copyOf(project.recent())));
    }

    @Test
    void newProjectPointsTheRunConfigIntoTheProjectAndSaveWithoutAFileAsksForOne() throws Exception {
        Path data = tmp.resolve("data");
        openDataset(data);
        assertFalse(FxThread.call(project::save), "no project open yet: the menu falls back to Save as");
        Path folder = tmp.resolve("new");
        Path file = FxThread.call(() -> project.create("My LoRA", folder));
        assertEquals(folder.resolve("My-LoRA" + StudioProject.EXTENSION).toAbsolutePath(), file);
        RunConfig c = FxThread.call(settings::config);
        assertEquals(data.toAbsolutePath().normalize().toString(), c.dataRoot);
        assertTrue(Path.of(c.outputDir).startsWith(folder.resolve("runs").toAbsolutePath()), c.outputDir);
        assertEquals(StudioResources.text("app.title") + " — My LoRA", FxThread.call(() -> main.titleProperty().get()));
        assertEquals(folder.resolve("runs").toAbsolutePath(), FxThread.call(() -> train.runsDirProperty().get()));
        assertEquals(List.of(file), FxThread.call(() -> List.copyOf(project.recent())));
        Exception again = failureOf(() -> project.create("My LoRA", folder));
        assertTrue(again instanceof IOException && again.getMessage().contains("already exists"), again.toString());
    }

    @Test
    void openingAFileThatIsNotAProjectFailsWithItsName() throws Exception {
        Path notProject = tmp.resolve("run.json");
        Files.writeString(notProject, "{}");
        Exception e = failureOf(() -> project.open(notProject));
        assertTrue(e instanceof IOException && e.getMessage().contains("run.json"), e.toString());
        assertTrue(FxThread.call(() -> project.recent().isEmpty()));
    }
}

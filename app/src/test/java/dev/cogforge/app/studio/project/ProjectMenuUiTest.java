package dev.cogforge.app.studio.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.StudioApplication;
import dev.cogforge.app.studio.StudioContext;
import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.app.studio.samples.VideoOpener;
import dev.cogforge.app.studio.train.FakeTrainer;
import dev.cogforge.app.studio.train.TrainingPages;
import dev.cogforge.core.data.SampleDataset;
import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.project.StudioProject;

import javafx.application.Platform;
import javafx.stage.Stage;
import javafx.stage.Window;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** File → Save project as… / Open project… / Recent projects through the real menu; the file dialogs answer from the test. */
@ExtendWith(ApplicationExtension.class)
class ProjectMenuUiTest {
    @TempDir
    static Path tmp;
    private StudioContext context;
    private Stage stage;
    private volatile Path answer;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        AppDirs dirs = new AppDirs(tmp.resolve("config"), tmp.resolve("cache"), tmp.resolve("runs"), tmp.resolve("logs"));
        VideoOpener noWindow = (title, videos) -> { };
        context = new StudioContext((main, background) -> new TrainingPages(main, background, Platform::runLater, dirs,
                new FakeTrainer(tmp.resolve("runs/unused")), noWindow));
        context.setProjectChooser(new ProjectChooser() {
            @Override
            public Optional<NewProject> askNewProject(Window owner, Path suggestedFolder) {
                return Optional.empty();
            }

            @Override
            public Optional<Path> chooseProjectToOpen(Window owner, Path initialFolder) {
                return Optional.ofNullable(answer);
            }

            @Override
            public Optional<Path> chooseSaveLocation(Window owner, Path initialFolder, String suggestedFileName) {
                return Optional.ofNullable(answer);
            }
        });
        stage.setScene(StudioApplication.createScene(context));
        stage.titleProperty().bind(context.main().titleProperty());
        stage.show();
    }

    @AfterEach
    void close() {
        context.close();
    }

    private void menu(FxRobot robot, String... path) {
        robot.clickOn(StudioResources.text("menu.file"));
        for (String item : path) robot.clickOn(item);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void saveAsThenOpenAndRecentThroughTheFileMenu(FxRobot robot) throws Exception {
        Path data = tmp.resolve("data");
        SampleDataset.ensureInstalled(data);
        WaitForAsyncUtils.asyncFx(() -> context.dataset().open(data)).get(10, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
        robot.interact(() -> context.training().settings().field("rank").textProperty().set("11"));

        Path file = tmp.resolve("projects").resolve("ui-project" + StudioProject.EXTENSION);
        answer = file;
        menu(robot, StudioResources.text("menu.file.saveAs"));
        assertTrue(Files.isRegularFile(file), "saved through the menu");
        assertEquals(11, StudioProject.load(file).runConfig().get("rank").asInt());
        assertEquals(StudioResources.text("app.title") + " — ui-project", stage.getTitle());

        robot.interact(() -> context.training().settings().field("rank").textProperty().set("5"));
        menu(robot, StudioResources.text("menu.file.open"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> context.training().settings().config().rank == 11);

        // Save (not as) writes into the open project without asking
        answer = null;
        robot.interact(() -> context.training().settings().field("rank").textProperty().set("6"));
        menu(robot, StudioResources.text("menu.file.save"));
        assertEquals(6, StudioProject.load(file).runConfig().get("rank").asInt());

        robot.interact(() -> context.training().settings().field("rank").textProperty().set("2"));
        menu(robot, StudioResources.text("menu.file.recent"), ProjectViewModel.label(file.toAbsolutePath()));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> context.training().settings().config().rank == 6);
        assertEquals(StudioResources.text("app.title") + " — ui-project", stage.getTitle());
    }
}

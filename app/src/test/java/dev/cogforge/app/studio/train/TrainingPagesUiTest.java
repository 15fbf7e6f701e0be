package dev.cogforge.app.studio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.Page;
import dev.cogforge.app.studio.StudioApplication;
import dev.cogforge.app.studio.StudioContext;
import dev.cogforge.app.studio.samples.VideoOpener;
import dev.cogforge.app.studio.settings.Presets;
import dev.cogforge.app.studio.settings.SettingsViewModel;
import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.train.TrainingEvent;

import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Settings and Train pages in the real main window, headless; the trainer is a test double fed by the test. */
@ExtendWith(ApplicationExtension.class)
class TrainingPagesUiTest {
    @TempDir
    static Path tmp;
    private StudioContext context;
    private FakeTrainer trainer;

    @Start
    void start(Stage stage) {
        trainer = new FakeTrainer(tmp.resolve("runs/ui-run"));
        AppDirs dirs = new AppDirs(tmp.resolve("config"), tmp.resolve("cache"), tmp.resolve("runs"), tmp.resolve("logs"));
        VideoOpener noWindow = (title, videos) -> { };
        context = new StudioContext((main, background) -> new TrainingPages(main, background, Platform::runLater, dirs, trainer, noWindow));
        stage.setScene(StudioApplication.createScene(context));
        stage.show();
    }

    @AfterEach
    void close() {
        context.close();
    }

    @Test
    void editingASettingShowsItsProblemAndUpdatesTheEstimate(FxRobot robot) throws Exception {
        robot.clickOn("#settingsNav");
        SettingsViewModel settings = context.training().settings();
        robot.interact(() -> settings.applyPreset(Presets.byId("lora-2b")));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> settings.config().rank == 128);
        WaitForAsyncUtils.waitForFxEvents();
        Label estimate = robot.lookup("#estimateLabel").queryAs(Label.class);
        String before = estimate.getText();
        assertTrue(before.startsWith("fits in 24 GB"), before);

        TextField rank = robot.lookup("#field-rank").queryAs(TextField.class);
        robot.interact(rank::requestFocus);
        robot.interact(rank::selectAll);
        robot.write("abc");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("'abc' is not a whole number", robot.lookup("#problem-rank").queryAs(Label.class).getText());
        assertTrue(rank.getStyleClass().contains("field-error"));

        TextField batch = robot.lookup("#field-train_batch_size").queryAs(TextField.class);
        robot.interact(batch::requestFocus);
        robot.interact(batch::selectAll);
        robot.write("8");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(before.equals(estimate.getText()), estimate.getText());

        // invalid settings block training, with the reason on the Train page
        robot.clickOn("#trainButton");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(Page.TRAIN, context.main().currentPageProperty().get());
        assertTrue(robot.lookup("#statusLabel").queryAllAs(Label.class).stream()
                .anyMatch(l -> l.getText().contains("Fix them on the Settings page")));
        assertTrue(trainer.started.isEmpty());
    }

    @Test
    void trainButtonRunsAndTheChartsAndProgressFollowTheEvents(FxRobot robot) throws Exception {
        SettingsViewModel settings = context.training().settings();
        robot.interact(() -> settings.applyPreset(Presets.byId("lora-2b")));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> settings.config().rank == 128);
        robot.interact(() -> settings.field("data_root").textProperty().set(tmp.toString()));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> settings.validProperty().get());
        robot.clickOn("#trainButton");
        trainer.awaitStart();
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(context.main().trainingProperty().get());
        trainer.listener.on(new TrainingEvent.Started(200, 1, 4096, 0));
        for (int i = 1; i <= 200; i++) trainer.listener.on(FakeTrainer.step(i, 200));
        trainer.listener.on(new TrainingEvent.CheckpointSaved(200, tmp.resolve("runs/ui-run/checkpoint-200")));
        TrainViewModel train = context.training().train();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> train.charts().lossRaw().getDataCount() == 200);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#progressLabel").queryAs(Label.class).getText().startsWith("step 200/200"));
        assertTrue(robot.lookup("#lossChart").tryQuery().isPresent());
        assertTrue(robot.lookup("#memoryChart").tryQuery().isPresent());

        robot.clickOn("#cancelButton");
        robot.clickOn(TrainController.STOP_SAVE.getText());
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> trainer.cancels.equals(List.of(true)));
        trainer.listener.on(new TrainingEvent.Cancelled(200));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !context.main().trainingProperty().get());
        assertFalse(robot.lookup("#startButton").queryButton().isDisabled());
    }

    @Test
    void perRankMemoryTableShowsOneRowPerRankAndTheFailureBanner(FxRobot robot) throws Exception {
        robot.clickOn("#trainNav");
        TrainViewModel train = context.training().train();
        assertFalse(robot.lookup("#rankTable").query().isVisible(), "no table for a run inside the studio");
        robot.interact(() -> {
            train.rankRows().setAll(new TrainViewModel.RankRow(0, 101, 340L << 20, 400L << 20, 8L << 30, "running"),
                    new TrainViewModel.RankRow(1, 102, 315L << 20, 330L << 20, 8L << 30, "failed: was killed by SIGKILL"));
            train.failureBannerProperty().set("rank 1 of 2 failed: was killed by SIGKILL");
        });
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.TableView<?> table = robot.lookup("#rankTable").queryAs(javafx.scene.control.TableView.class);
        assertTrue(table.isVisible());
        assertEquals(2, robot.lookup(".rank-table .table-row-cell").queryAll().stream()
                .filter(n -> n instanceof javafx.scene.control.TableRow<?> r && r.getItem() != null).count());
        assertTrue(robot.lookup("340 MiB").tryQuery().isPresent() && robot.lookup("315 MiB").tryQuery().isPresent());
        assertEquals(1, robot.lookup(".rank-failed").queryAll().size());
        Label banner = robot.lookup(".failure-banner").queryAs(Label.class);
        assertTrue(banner.isVisible() && banner.getText().startsWith("rank 1 of 2 failed"), banner.getText());
        robot.interact(() -> {
            train.rankRows().clear();
            train.failureBannerProperty().set("");
        });
    }
}

package dev.cogforge.app.studio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.Page;
import dev.cogforge.app.studio.StudioApplication;
import dev.cogforge.app.studio.StudioContext;
import dev.cogforge.app.studio.samples.FramePreviewWindow;
import dev.cogforge.app.studio.settings.Presets;
import dev.cogforge.app.studio.settings.SettingsViewModel;
import dev.cogforge.core.demo.DemoModel;
import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.config.RunConfig;

import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.image.ImageView;
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

/**
 * The Train ▶ button on the tiny CPU demo runs the real core trainer (no test double): the loss chart fills, the run
 * finishes with validation videos, and those videos show decoded frames on the Samples page and in the player.
 */
@ExtendWith(ApplicationExtension.class)
class RealTrainingUiTest {
    /** Generous: CI has two shared cores; on an idle machine the whole run takes a few seconds. */
    private static final int TIMEOUT_S = 120;

    @TempDir
    static Path tmp;
    private StudioContext context;

    @Start
    void start(Stage stage) {
        Presets.Locations where = new Presets.Locations(tmp.resolve("cache"), tmp.resolve("data/shapes"), tmp.resolve("runs"),
                DemoModel.VAE_PRETRAINING.quick(1, 1));
        AppDirs dirs = new AppDirs(tmp.resolve("config"), tmp.resolve("cache"), tmp.resolve("runs"), tmp.resolve("logs"));
        context = new StudioContext((main, background) -> new TrainingPages(main, background, Platform::runLater, dirs, where,
                new CoreTrainingService(), new FramePreviewWindow(background)));
        stage.setScene(StudioApplication.createScene(context));
        stage.show();
    }

    @AfterEach
    void close() throws Exception {
        TrainViewModel train = context.training().train();
        if (train.runningProperty().get()) {
            Platform.runLater(() -> train.cancel(false));
            WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> !train.runningProperty().get());
        }
        context.close();
    }

    /** Applies the demo preset, then shortens it: {@code steps} optimizer steps, validation every 3 with 2 sampling steps. */
    private void tinyDemo(FxRobot robot, int steps) throws Exception {
        SettingsViewModel settings = context.training().settings();
        robot.interact(() -> settings.applyPreset(Presets.byId(Presets.TINY_DEMO)));
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS,
                () -> !settings.busyProperty().get() && settings.config().pretrainedModelNameOrPath.contains(DemoModel.FOLDER.substring(0, 10)));
        robot.interact(() -> {
            RunConfig c = settings.config();
            c.maxTrainSteps = steps;
            c.trainBatchSize = 2;
            c.validationSteps = 3;
            c.numInferenceSteps = 2;
            c.checkpointingSteps = 3;
            c.lrWarmupSteps = 1;
            settings.setConfig(c);
        });
        assertTrue(settings.validProperty().get(), () -> "demo settings invalid: " + settings.problems());
    }

    @Test
    void trainButtonRunsRealStepsAndTheValidationVideoPlays(FxRobot robot) throws Exception {
        tinyDemo(robot, 6);
        TrainViewModel train = context.training().train();
        robot.clickOn("#trainButton");
        assertEquals(Page.TRAIN, context.main().currentPageProperty().get());
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> train.lastTerminalProperty().get() != null);
        assertInstanceOf(TrainingEvent.Finished.class, train.lastTerminalProperty().get(), () -> String.join("\n", train.log()));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> train.charts().lossRaw().getDataCount() == 6);
        assertEquals(1.0, train.progressProperty().get());
        for (int i = 0; i < 6; i++) assertTrue(Double.isFinite(train.charts().lossRaw().get(1, i)), "loss at step " + (i + 1));
        assertTrue(robot.lookup("#progressLabel").queryLabeled().getText().startsWith("step 6/6"));
        Path video = train.lastValidationVideoProperty().get();
        assertNotNull(video, () -> String.join("\n", train.log()));
        assertTrue(Files.size(video) > 0);

        // once the run has ended, the Export page previews the card of what it saved (the demo is a full fine-tune)
        var export = context.training().export();
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(
                () -> export.cardIsPreviewProperty().get() && export.modelCardProperty().get().contains("A full fine-tune")).get());

        // the Samples page lists the run's validation videos with a decoded first frame
        robot.clickOn("#samplesNav");
        // each step's folder holds the same file names: the tile carries its video as user data
        java.util.function.Predicate<Node> isTile = n -> n.getStyleClass().contains("sample-tile") && video.equals(n.getUserData());
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> robot.lookup(isTile).tryQuery()
                .map(tile -> firstImage(tile) != null && firstImage(tile).getImage() != null).orElse(false));
        Node tile = robot.lookup(isTile).query();
        assertTrue(firstImage(tile).getImage().getWidth() > 0);

        // clicking the tile opens the player, which decodes and shows the frames
        robot.clickOn(tile);
        try {
            WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> Window.getWindows().stream()
                    .filter(w -> w instanceof Stage s && video.getFileName().toString().equals(s.getTitle()) && w.getScene() != null)
                    .anyMatch(w -> firstImage(w.getScene().getRoot()) != null && firstImage(w.getScene().getRoot()).getImage() != null))
                    .get());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no player window shows a frame of " + video + "; windows: " + WaitForAsyncUtils.asyncFx(() -> Window.getWindows().stream()
                    .map(w -> (w instanceof Stage s ? s.getTitle() : "?") + " " + describe(w.getScene() == null ? null : w.getScene().getRoot())).toList()).get(), e);
        }
        robot.interact(() -> Window.getWindows().stream().filter(w -> w instanceof Stage s && video.getFileName().toString().equals(s.getTitle()))
                .toList().forEach(Window::hide));
    }

    @Test
    void cancelStopsARealRun(FxRobot robot) throws Exception {
        tinyDemo(robot, 10_000);
        TrainViewModel train = context.training().train();
        robot.clickOn("#trainButton");
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> train.charts().lossRaw().getDataCount() >= 1);
        robot.clickOn("#cancelButton");
        robot.clickOn(TrainController.STOP_NO_SAVE.getText());
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> !train.runningProperty().get());
        TrainingEvent.Cancelled cancelled = assertInstanceOf(TrainingEvent.Cancelled.class, train.lastTerminalProperty().get());
        assertTrue(cancelled.step() < 10_000);
        assertFalse(context.main().trainingProperty().get());
        assertFalse(robot.lookup("#trainButton").queryButton().isDisabled());
    }

    private static String describe(Node n) {
        if (n == null) return "";
        StringBuilder b = new StringBuilder(n.getClass().getSimpleName());
        if (n instanceof javafx.scene.control.Labeled l) b.append("'").append(l.getText()).append("'");
        if (n instanceof ImageView v) b.append(v.getImage() == null ? "(no image)" : "(image)");
        if (n instanceof javafx.scene.Parent p && !(n instanceof javafx.scene.control.Control)) {
            b.append("[");
            for (Node c : p.getChildrenUnmodifiable()) b.append(describe(c)).append(' ');
            b.append("]");
        }
        return b.toString();
    }

    private static ImageView firstImage(Node root) {
        if (root instanceof ImageView v) return v;
        if (root instanceof javafx.scene.Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                ImageView found = firstImage(child);
                if (found != null) return found;
            }
        }
        return null;
    }
}

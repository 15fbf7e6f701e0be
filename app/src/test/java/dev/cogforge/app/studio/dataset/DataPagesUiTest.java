package dev.cogforge.app.studio.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.StudioApplication;
import dev.cogforge.app.studio.StudioContext;
import dev.cogforge.core.data.Dataset;
import dev.cogforge.core.data.DatasetFormat;
import dev.cogforge.core.data.FormatOptions;
import dev.cogforge.core.io.AppDirs;
import dev.cogforge.app.studio.train.FakeTrainer;
import dev.cogforge.app.studio.train.TrainingPages;

import javafx.application.Platform;

import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ListView;
import javafx.scene.control.TextArea;
import javafx.scene.image.ImageView;
import javafx.scene.input.DragEvent;
import javafx.scene.input.Dragboard;
import javafx.scene.input.KeyCode;
import javafx.scene.input.PickResult;
import javafx.scene.input.TransferMode;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Dataset and Captions pages driven through their real controls (headless Monocle). */
@ExtendWith(ApplicationExtension.class)
class DataPagesUiTest {
    @TempDir static Path tmp;
    private StudioContext context;
    private Path sample;

    @Start
    void start(Stage stage) throws Exception {
        sample = Files.createTempDirectory(tmp, "sample");
        // temp folders, so the thumbnail cache and settings stay out of the user's own
        Path home = Files.createTempDirectory(tmp, "home");
        AppDirs dirs = new AppDirs(home.resolve("config"), home.resolve("cache"), home.resolve("runs"), home.resolve("logs"));
        context = new StudioContext((main, background) -> new TrainingPages(main, background, Platform::runLater, dirs,
                new FakeTrainer(home.resolve("unused")), (title, videos) -> { }));
        stage.setScene(StudioApplication.createScene(context));
        stage.setWidth(1280);
        stage.setHeight(800);
        stage.show();
        context.dataset().openSample(sample);
    }

    @AfterEach
    void close() throws Exception {
        FxToolkit.cleanupStages(); // dialogs left open by a failed step must not block the next test's clicks
        context.close();
    }

    @SuppressWarnings("unchecked")
    private ListView<ClipItem> clipList(FxRobot robot) {
        return robot.lookup("#clipList").queryAs(ListView.class);
    }

    private void waitForClips(FxRobot robot, int n) throws Exception {
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> clipList(robot).getItems().size() == n);
    }

    @Test
    void datasetPageListsTheSampleClipsWithThumbnailsAndBuckets(FxRobot robot) throws Exception {
        waitForClips(robot, 16);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup(".clip-thumbnail").queryAllAs(ImageView.class)
                .stream().filter(Node::isVisible).filter(v -> v.getImage() != null).count() >= 4);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !context.dataset().analysingProperty().get());
        assertEquals("buckets: 17\u00D748\u00D780 \u00D716 \u00B7 skipped 0",
                robot.lookup("#bucketSummaryLabel").queryLabeled().getText());
        assertTrue(context.main().statusProperty().get().startsWith("16 clips"), context.main().statusProperty().get());
        assertTrue(robot.lookup(".bucket-badge").queryAllAs(javafx.scene.control.Label.class).stream()
                .anyMatch(l -> l.isVisible() && l.getText().equals("17\u00D748\u00D780")));
    }

    @Test
    void droppingAFolderImportsItsClips(FxRobot robot) throws Exception {
        waitForClips(robot, 16);
        Path folder = Files.createTempDirectory(tmp, "dropped");
        Dataset.load(sample).saveAs(folder, DatasetFormat.FOLDER, FormatOptions.DEFAULTS);
        ListView<ClipItem> list = clipList(robot);
        robot.interact(() -> {
            Dragboard board = FileDragboard.of(List.of(folder.toFile()));
            PickResult pick = new PickResult(list, 100, 100);
            list.fireEvent(new DragEvent(list, list, DragEvent.DRAG_OVER, board, 100, 100, 100, 100,
                    TransferMode.COPY, null, list, pick));
            list.fireEvent(new DragEvent(list, list, DragEvent.DRAG_DROPPED, board, 100, 100, 100, 100,
                    TransferMode.COPY, null, list, pick));
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> robot.lookup("#importConfirm").tryQuery().isPresent());
        String summary = robot.lookup("#importSummary").queryLabeled().getText();
        assertTrue(summary.contains("Found 16 clips") && summary.contains("folder dataset"), summary);
        robot.clickOn("#importCopy");
        robot.clickOn("#importConfirm");
        // the copy is saved, then the dataset is reloaded from disk
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> Files.readAllLines(sample.resolve("videos.txt")).size() == 32);
        waitForClips(robot, 32);
        assertTrue(Files.isRegularFile(sample.resolve("videos/00_red_circle_left_to_right_2.mp4")));
    }

    @Test
    void selectingAClipPlaysItAndCaptionsSaveWithCtrlS(FxRobot robot) throws Exception {
        waitForClips(robot, 16);
        ListView<ClipItem> list = clipList(robot);
        robot.interact(() -> list.getSelectionModel().select(2));
        ImageView frame = robot.lookup("#playerImage").queryAs(ImageView.class);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> frame.getImage() != null && frame.getImage().getWidth() == 80);
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> context.player().positionProperty().get() > 0);

        robot.clickOn("#captionsNav");
        TextArea area = robot.lookup("#captionArea").queryAs(TextArea.class);
        String original = Files.readAllLines(sample.resolve("prompt.txt")).get(2);
        assertEquals(original, area.getText());
        robot.clickOn(area);
        robot.interact(area::end);
        robot.write(" Fast.");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> area.getText().equals(original + " Fast."));
        assertTrue(robot.lookup("#dirtyLabel").query().isVisible());
        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        assertEquals(original + " ", area.getText(), "Ctrl+Z undoes the last word");
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.Z).release(KeyCode.Z, KeyCode.SHIFT, KeyCode.CONTROL);
        assertEquals(original + " Fast.", area.getText());
        robot.press(KeyCode.CONTROL, KeyCode.S).release(KeyCode.S, KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS,
                () -> Files.readAllLines(sample.resolve("prompt.txt")).get(2).equals(original + " Fast."));
        assertTrue(robot.lookup("#saveButton").queryAs(Button.class).isDisabled());

        robot.press(KeyCode.ALT, KeyCode.DOWN).release(KeyCode.DOWN, KeyCode.ALT);
        assertEquals(Files.readAllLines(sample.resolve("prompt.txt")).get(3), area.getText(), "Alt+Down: next clip");
    }
}

package dev.cogforge.app.studio.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.core.hub.HubClient;
import dev.cogforge.core.hub.TokenStore;

import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Export page driven through its controls: export, log in with a PasswordField, push to a Hub on 127.0.0.1. */
@ExtendWith(ApplicationExtension.class)
class ExportPageUiTest {
    @TempDir
    static Path tmp;
    private LocalHub hub;
    private ExportViewModel vm;
    private final java.util.concurrent.ExecutorService background = java.util.concurrent.Executors.newFixedThreadPool(2);

    @Start
    void start(Stage stage) throws Exception {
        hub = new LocalHub();
        TokenStore store = new TokenStore(Map.of("HF_HOME", tmp.resolve("hf").toString()), tmp);
        vm = new ExportViewModel(background, Platform::runLater, store, t -> HubClient.builder(t).endpoint(hub.endpoint()).build());
        vm.runDirProperty().set(RunFolders.create(tmp.resolve("runs/ui-style")));
        var loaded = StudioResources.load(StudioResources.UI_ROOT + "ExportView.fxml", type -> new ExportController(vm));
        Scene scene = new Scene(loaded.root(), 1100, 700);
        scene.getStylesheets().add(StudioResources.stylesheet().toExternalForm());
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void close() {
        background.shutdownNow();
        hub.close();
    }

    @Test
    void aPageOpenedAfterThePreviewShowsTheCard(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> !vm.modelCardProperty().get().isBlank()).get());
        javafx.scene.Parent late = WaitForAsyncUtils.asyncFx(() -> StudioResources.load(StudioResources.UI_ROOT + "ExportView.fxml",
                type -> new ExportController(vm)).root()).get();
        // skins (and so the scroll pane's content) exist once the page is in a scene with CSS applied
        boolean rendered = WaitForAsyncUtils.asyncFx(() -> {
            new javafx.scene.Scene(late, 1100, 700);
            late.applyCss();
            late.layout();
            return late.lookup(".md-h1") != null;
        }).get();
        assertTrue(rendered, "the card is rendered in a page created after the preview");
    }

    @Test
    void exportLogInAndPushThroughTheControls(FxRobot robot) throws Exception {
        robot.clickOn("#exportButton");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> !robot.lookup(".md-h1").queryAll().isEmpty());
        // the card is laid out where it can be read: the title has a size and lies inside the card's scroll pane
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> {
            javafx.scene.Node title = robot.lookup(".md-h1").query();
            javafx.scene.Node pane = robot.lookup("#cardBox").query().getParent();
            while (pane != null && !(pane instanceof javafx.scene.control.ScrollPane)) pane = pane.getParent();
            javafx.geometry.Bounds t = title.localToScene(title.getBoundsInLocal());
            javafx.geometry.Bounds p = pane.localToScene(pane.getBoundsInLocal());
            return t.getHeight() > 10 && p.getHeight() > 200 && p.contains(t.getMinX() + 1, t.getMinY() + 1);
        }).get());
        robot.clickOn("#tokenField").write(LocalHub.TOKEN);
        robot.clickOn("#loginButton");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> LocalHub.USER.equals(robot.lookup("#accountLabel").queryAs(Label.class).getText()));
        assertEquals("", robot.lookup("#tokenField").queryAs(PasswordField.class).getText(), "the field is cleared after use");
        robot.clickOn("#pushButton");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> robot.lookup("#statusLabel").queryAs(Label.class).getText().startsWith("pushed"));
        assertTrue(hub.violations.isEmpty(), hub.violations.toString());
        assertTrue(hub.committedPaths.contains("pytorch_lora_weights.safetensors"));
        assertTrue(Files.isRegularFile(tmp.resolve("hf/token")));
        assertTrue(vm.files().stream().allMatch(f -> f.fractionProperty().get() == 1.0), "every file reached 100 %");
    }
}

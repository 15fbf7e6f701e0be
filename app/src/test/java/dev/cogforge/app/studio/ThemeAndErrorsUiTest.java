package dev.cogforge.app.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import javafx.scene.control.Alert;
import javafx.scene.control.RadioMenuItem;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

@ExtendWith(ApplicationExtension.class)
class ThemeAndErrorsUiTest {
    @TempDir
    static Path tmp;
    private StudioContext context;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        context = new StudioContext();
        stage.setScene(StudioApplication.createScene(context));
        stage.show();
    }

    @AfterEach
    void close() {
        context.close();
    }

    @Test
    void viewMenuSwitchesBetweenTheDarkAndLightStylesheets(FxRobot robot) {
        assertFalse(stage.getScene().getStylesheets().stream().anyMatch(s -> s.endsWith("studio-light.css")));
        robot.clickOn("View");
        robot.clickOn("Light theme");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(Theme.LIGHT, context.main().themeProperty().get());
        assertTrue(stage.getScene().getStylesheets().getLast().endsWith("studio-light.css"));
        robot.clickOn("View");
        RadioMenuItem light = (RadioMenuItem) stage.getScene().getRoot().lookupAll(".menu-bar").stream().findFirst()
                .map(bar -> ((javafx.scene.control.MenuBar) bar).getMenus().stream().flatMap(m -> m.getItems().stream())
                        .filter(i -> "lightThemeItem".equals(i.getId())).findFirst().orElseThrow()).orElseThrow();
        assertTrue(light.isSelected());
        robot.clickOn("Dark theme");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(Theme.DARK, context.main().themeProperty().get());
        assertFalse(stage.getScene().getStylesheets().stream().anyMatch(s -> s.endsWith("studio-light.css")));
    }

    @Test
    void errorDialogSaysWhatToDoAndWhereTheLogIsWithoutATrace(FxRobot robot) throws Exception {
        Exception failure = new IllegalStateException("wrapper", new java.io.IOException("the model folder /x has no transformer/"));
        Alert alert = WaitForAsyncUtils.asyncFx(() -> ErrorDialogs.show(stage, "Training could not start",
                "Choose a model folder on the Settings page.", failure)).get();
        WaitForAsyncUtils.waitForFxEvents();
        String text = alert.getContentText();
        assertTrue(text.startsWith("wrapper") || text.contains("transformer/"), text);
        assertTrue(text.contains("Choose a model folder on the Settings page."), text);
        assertTrue(text.contains(ErrorDialogs.logFile().toString()), text);
        assertFalse(text.contains("\tat ") || text.contains("Exception"), text);
        robot.interact(alert::close);
    }
}

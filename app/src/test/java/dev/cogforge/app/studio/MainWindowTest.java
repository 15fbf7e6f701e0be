package dev.cogforge.app.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import javafx.scene.control.TextArea;
import javafx.scene.control.ToggleButton;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    private StudioContext context;

    @Start
    void start(Stage stage) {
        context = new StudioContext();
        stage.setScene(StudioApplication.createScene(context));
        stage.show();
    }

    @AfterEach
    void close() {
        context.close();
    }

    @Test
    void systemPageShowsTheRealEngineReport(FxRobot robot) throws Exception {
        robot.clickOn("#systemNav");
        assertEquals(Page.SYSTEM, context.main().currentPageProperty().get());
        assertTrue(robot.lookup("#systemNav").queryAs(ToggleButton.class).isSelected());
        robot.interact(() -> context.system().refresh());
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS,
                () -> robot.lookup("#reportArea").queryAs(TextArea.class).getText().contains("libtorch"));
        String report = robot.lookup("#reportArea").queryAs(TextArea.class).getText();
        assertTrue(report.contains("threads"), report);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> !context.main().deviceProperty().get().isEmpty());
    }
}

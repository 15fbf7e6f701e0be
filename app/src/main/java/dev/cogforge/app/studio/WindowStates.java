package dev.cogforge.app.studio;

import javafx.geometry.Rectangle2D;
import javafx.stage.Screen;
import javafx.stage.Stage;

/** Restores the main window's remembered bounds and reads them back when it closes. */
public final class WindowStates {
    private WindowStates() {}

    /** Applies {@code state} before the stage is shown; a position on no current screen is dropped (monitor unplugged). */
    public static void apply(Stage stage, StudioPreferences.WindowState state) {
        stage.setWidth(state.width());
        stage.setHeight(state.height());
        if (state.hasPosition() && onSomeScreen(state)) {
            stage.setX(state.x());
            stage.setY(state.y());
        } else {
            stage.centerOnScreen();
        }
        stage.setMaximized(state.maximized());
    }

    private static boolean onSomeScreen(StudioPreferences.WindowState s) {
        // at least the title bar's top-left corner area must be visible to grab the window
        Rectangle2D grab = new Rectangle2D(s.x(), s.y(), Math.min(100, s.width()), 30);
        return Screen.getScreens().stream().anyMatch(screen -> screen.getVisualBounds().intersects(grab));
    }

    /**
     * The bounds to remember. While maximized the stage reports the screen's size, so the previous normal bounds are
     * kept and only the flag changes.
     */
    public static StudioPreferences.WindowState capture(Stage stage, StudioPreferences.WindowState previous) {
        if (stage.isMaximized()) {
            return new StudioPreferences.WindowState(previous.x(), previous.y(), previous.width(), previous.height(), true);
        }
        return new StudioPreferences.WindowState(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(), false);
    }
}

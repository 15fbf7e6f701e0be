package dev.cogforge.app.studio;

import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cogforge.core.io.AppDirs;

import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.stage.Window;

/**
 * The one way the studio reports a failure: a dialog saying what went wrong in words, what to do about it and where
 * the log file is. The stack trace goes to the log (through SLF4J), never to the screen.
 */
public final class ErrorDialogs {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorDialogs.class);

    private ErrorDialogs() {}

    /** Logs {@code failure} in full and shows its message with {@code whatToDo}. Call on the FX thread. */
    public static Alert show(Window owner, String title, String whatToDo, Throwable failure) {
        LOG.error("{}: {}", title, describe(failure), failure);
        return showMessage(owner, title, describe(failure), whatToDo);
    }

    /** For failures already put into words (a ViewModel's error text). Call on the FX thread. */
    public static Alert showMessage(Window owner, String title, String message, String whatToDo) {
        StringBuilder text = new StringBuilder(message == null || message.isBlank() ? "Something went wrong." : message.strip());
        if (whatToDo != null && !whatToDo.isBlank()) text.append("\n\n").append(whatToDo.strip());
        text.append("\n\nDetails are in the log: ").append(logFile());
        Alert alert = new Alert(Alert.AlertType.ERROR, text.toString(), ButtonType.OK);
        alert.setTitle(StudioResources.text("app.title"));
        alert.setHeaderText(title);
        alert.getDialogPane().setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        alert.getDialogPane().setId("errorDialog");
        if (owner != null) alert.initOwner(owner);
        alert.show();
        return alert;
    }

    /**
     * A failure in words: the first non-blank message along the cause chain, or the kind of failure when none has one
     * (a bare {@code NullPointerException} is a bug, so say that rather than print "null").
     */
    public static String describe(Throwable failure) {
        if (failure == null) return "Something went wrong.";
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && !m.equals(String.valueOf(t.getCause()))) return m.strip();
        }
        return "An internal error occurred (" + failure.getClass().getSimpleName() + "); this is a bug in CogForge Studio.";
    }

    /** Where logback writes (Main points {@code cogforge.log.dir} at the logs folder before logging starts). */
    public static Path logFile() {
        String dir = System.getProperty(dev.cogforge.app.Main.LOG_DIR_PROPERTY);
        return (dir != null && !dir.isBlank() ? Path.of(dir) : AppDirs.current().logs()).resolve("cogforge.log");
    }
}

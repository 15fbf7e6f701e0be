package dev.cogforge.app.studio;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.io.AtomicFiles;

/**
 * What the studio remembers between sessions: the theme, the main window's bounds and maximized state, and the Dataset page's view (grid or list), as a small
 * properties file in the config folder (written atomically, so a crash never leaves a half-written file). An unreadable
 * file is logged and ignored: losing the window size must never stop the studio from starting.
 */
public final class StudioPreferences {
    public static final String FILE_NAME = "studio.properties";
    private static final Logger LOG = LoggerFactory.getLogger(StudioPreferences.class);

    /** Window bounds in screen coordinates; {@code x}/{@code y} are NaN when the window manager chose the place. */
    public record WindowState(double x, double y, double width, double height, boolean maximized) {
        public static final WindowState DEFAULT = new WindowState(Double.NaN, Double.NaN, 1280, 800, false);

        public boolean hasPosition() {
            return Double.isFinite(x) && Double.isFinite(y);
        }
    }

    private final Path file;
    private Theme theme = Theme.DARK;
    private WindowState window = WindowState.DEFAULT;
    private boolean datasetGrid = true;

    public StudioPreferences(Path file) {
        this.file = file;
    }

    public static StudioPreferences forCurrentUser() {
        return load(AppDirs.current().config().resolve(FILE_NAME));
    }

    public static StudioPreferences load(Path file) {
        StudioPreferences p = new StudioPreferences(file);
        if (!Files.isRegularFile(file)) return p;
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("ignoring unreadable studio preferences {}", file, e);
            return p;
        }
        p.theme = Theme.parse(props.getProperty("theme"));
        double w = number(props, "window.width", WindowState.DEFAULT.width());
        double h = number(props, "window.height", WindowState.DEFAULT.height());
        p.window = new WindowState(number(props, "window.x", Double.NaN), number(props, "window.y", Double.NaN),
                w >= 200 ? w : WindowState.DEFAULT.width(), h >= 150 ? h : WindowState.DEFAULT.height(),
                Boolean.parseBoolean(props.getProperty("window.maximized", "false")));
        p.datasetGrid = !"list".equalsIgnoreCase(props.getProperty("dataset.view", "grid").trim());
        return p;
    }

    private static double number(Properties props, String key, double fallback) {
        String v = props.getProperty(key);
        if (v == null) return fallback;
        try {
            double d = Double.parseDouble(v.trim());
            return Double.isFinite(d) ? d : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    public Path file() {
        return file;
    }

    public Theme theme() {
        return theme;
    }

    public void setTheme(Theme theme) {
        this.theme = theme;
    }

    public WindowState window() {
        return window;
    }

    public void setWindow(WindowState window) {
        this.window = window;
    }

    /** Whether the Dataset page shows clips as a grid of tiles (true) or as the detailed list. */
    public boolean datasetGrid() {
        return datasetGrid;
    }

    public void setDatasetGrid(boolean grid) {
        this.datasetGrid = grid;
    }

    public void save() throws IOException {
        Properties props = new Properties();
        props.setProperty("theme", theme.name().toLowerCase(java.util.Locale.ROOT));
        if (window.hasPosition()) {
            props.setProperty("window.x", Double.toString(window.x()));
            props.setProperty("window.y", Double.toString(window.y()));
        }
        props.setProperty("window.width", Double.toString(window.width()));
        props.setProperty("window.height", Double.toString(window.height()));
        props.setProperty("window.maximized", Boolean.toString(window.maximized()));
        props.setProperty("dataset.view", datasetGrid ? "grid" : "list");
        StringWriter text = new StringWriter();
        props.store(text, "CogForge Studio window and theme");
        AtomicFiles.writeString(file, text.toString());
    }

    /** Saves, logging instead of throwing: called while the window closes. */
    public void saveQuietly() {
        try {
            save();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot save studio preferences to {}", file, e);
        }
    }
}

package dev.cogforge.app.studio;

import java.io.IOException;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cogforge.app.studio.settings.Presets;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The JavaFX application: one window per project. */
public final class StudioApplication extends Application {
    /** A project file to open instead of the last one ({@code cogforge studio PROJECT_FILE} sets it). */
    public static final String PROJECT_PROPERTY = "cogforge.studio.project";
    private static final Logger LOG = LoggerFactory.getLogger(StudioApplication.class);
    private StudioContext context;
    private StudioPreferences preferences;

    @Override
    public void start(Stage stage) {
        context = new StudioContext();
        preferences = StudioPreferences.forCurrentUser();
        context.main().themeProperty().set(preferences.theme());
        context.main().themeProperty().addListener((o, was, theme) -> {
            preferences.setTheme(theme);
            preferences.saveQuietly();
        });
        context.dataset().gridViewProperty().set(preferences.datasetGrid());
        context.dataset().gridViewProperty().addListener((o, was, grid) -> {
            preferences.setDatasetGrid(grid);
            preferences.saveQuietly();
        });
        stage.setScene(createScene(context));
        stage.titleProperty().bind(context.main().titleProperty());
        WindowStates.apply(stage, preferences.window());
        stage.setOnHiding(e -> {
            preferences.setWindow(WindowStates.capture(stage, preferences.window()));
            preferences.saveQuietly();
        });
        // an exception escaping an FX event handler would only reach stderr: show it and log it instead
        Thread.currentThread().setUncaughtExceptionHandler((thread, failure) -> ErrorDialogs.show(stage,
                "Something went wrong", "Try again; if it keeps happening, report it with the log file attached.", failure));
        stage.show();
        context.system().refresh();
        context.training().settings().refreshDevices();
        if (openStartProject(context)) return;
        // the embedded default: the bundled sample dataset and the tiny CPU demo model (built once into the cache)
        context.dataset().openSample(context.sampleDatasetDir());
        context.training().settings().applyPreset(Presets.byId(Presets.TINY_DEMO));
        java.nio.file.Path screenshots = ScreenshotTour.requestedFolder();
        if (screenshots != null) ScreenshotTour.start(stage, context, screenshots);
    }

    /**
     * Opens the project named on the command line, else the last opened one if it still exists; false when there is
     * none or it cannot be read (then the demo defaults apply and the reason is on the status line).
     */
    static boolean openStartProject(StudioContext context) {
        String named = System.getProperty(PROJECT_PROPERTY);
        Path file = named != null && !named.isBlank() ? Path.of(named) : context.project().lastProject();
        if (file == null) return false;
        try {
            context.project().open(file);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("project {} could not be opened", file, e);
            context.main().statusProperty().set("The project " + file + " could not be opened: " + e.getMessage());
            return false;
        }
    }

    /** Builds the main window's scene; tests call this with their own context. */
    public static Scene createScene(StudioContext context) {
        var loaded = StudioResources.load(StudioResources.UI_ROOT + "MainView.fxml", context::controllerFor);
        Scene scene = new Scene(loaded.root());
        scene.getStylesheets().setAll(context.main().themeProperty().get().stylesheets());
        context.main().themeProperty().addListener((o, was, theme) -> scene.getStylesheets().setAll(theme.stylesheets()));
        context.system().deviceSummaryProperty().addListener((o, a, b) -> context.main().deviceProperty().set(b));
        return scene;
    }

    @Override
    public void stop() {
        if (context != null) context.close();
    }
}

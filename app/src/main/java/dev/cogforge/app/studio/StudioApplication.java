package dev.cogforge.app.studio;

import dev.cogforge.app.studio.settings.Presets;
import dev.cogforge.core.io.AppDirs;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The JavaFX application: one window per project. */
public final class StudioApplication extends Application {
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
        // the embedded default: the bundled sample dataset and the tiny CPU demo model (built once into the cache)
        context.dataset().openSample(AppDirs.current().cache().resolve("sample-datasets").resolve("shapes"));
        context.training().settings().applyPreset(Presets.byId(Presets.TINY_DEMO));
        java.nio.file.Path screenshots = ScreenshotTour.requestedFolder();
        if (screenshots != null) ScreenshotTour.start(stage, context, screenshots);
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

package dev.cogforge.app.studio;

import dev.cogforge.app.studio.settings.Presets;
import dev.cogforge.core.io.AppDirs;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The JavaFX application: one window per project. */
public final class StudioApplication extends Application {
    private StudioContext context;

    @Override
    public void start(Stage stage) {
        context = new StudioContext();
        stage.setScene(createScene(context));
        stage.titleProperty().bind(context.main().titleProperty());
        stage.show();
        context.system().refresh();
        // the embedded default: the bundled sample dataset and the tiny CPU demo model (built once into the cache)
        context.dataset().openSample(AppDirs.current().cache().resolve("sample-datasets").resolve("shapes"));
        context.training().settings().applyPreset(Presets.byId(Presets.TINY_DEMO));
    }

    /** Builds the main window's scene; tests call this with their own context. */
    public static Scene createScene(StudioContext context) {
        var loaded = StudioResources.load(StudioResources.UI_ROOT + "MainView.fxml", context::controllerFor);
        Scene scene = new Scene(loaded.root());
        scene.getStylesheets().add(StudioResources.stylesheet().toExternalForm());
        context.system().deviceSummaryProperty().addListener((o, a, b) -> context.main().deviceProperty().set(b));
        return scene;
    }

    @Override
    public void stop() {
        if (context != null) context.close();
    }
}

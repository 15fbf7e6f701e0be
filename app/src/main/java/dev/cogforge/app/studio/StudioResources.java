package dev.cogforge.app.studio;

import java.io.IOException;
import java.net.URL;
import java.util.ResourceBundle;
import java.util.function.Function;

import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;

/** Loads views from the ui-resources module, with the studio's message bundle and controller factory. */
public final class StudioResources {
    public static final String UI_ROOT = "/dev/cogforge/ui/";
    public static final ResourceBundle MESSAGES = ResourceBundle.getBundle("dev.cogforge.ui.messages");

    private StudioResources() {}

    public static URL stylesheet() {
        return StudioResources.class.getResource(UI_ROOT + "studio.css");
    }

    public static String text(String key) {
        return MESSAGES.getString(key);
    }

    public record Loaded<C>(Parent root, C controller) {}

    public static <C> Loaded<C> load(String resource, Function<Class<?>, Object> controllerFactory) {
        URL url = StudioResources.class.getResource(resource);
        if (url == null) throw new IllegalStateException("view " + resource + " is missing from ui-resources");
        FXMLLoader loader = new FXMLLoader(url, MESSAGES);
        if (controllerFactory != null) loader.setControllerFactory(controllerFactory::apply);
        try {
            Parent root = loader.load();
            return new Loaded<>(root, loader.getController());
        } catch (IOException e) {
            throw new IllegalStateException("cannot load view " + resource + ": " + e.getMessage(), e);
        }
    }
}

package dev.cogforge.app.studio;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** State of the main window: current page, status line, device line, whether a run is active. */
public final class MainViewModel {
    private final ObjectProperty<Page> currentPage = new SimpleObjectProperty<>(Page.DATASET);
    private final StringProperty status = new SimpleStringProperty("");
    private final StringProperty device = new SimpleStringProperty("");
    private final StringProperty title = new SimpleStringProperty(StudioResources.text("app.title"));
    private final BooleanProperty training = new SimpleBooleanProperty(false);
    private final ObjectProperty<Theme> theme = new SimpleObjectProperty<>(Theme.DARK);

    public MainViewModel() {
        if (!Page.DATASET.available()) currentPage.set(firstAvailable());
    }

    static Page firstAvailable() {
        for (Page p : Page.values()) if (p.available()) return p;
        throw new IllegalStateException("no studio page ships in this build");
    }

    public ObjectProperty<Page> currentPageProperty() {
        return currentPage;
    }

    public StringProperty statusProperty() {
        return status;
    }

    public StringProperty deviceProperty() {
        return device;
    }

    public StringProperty titleProperty() {
        return title;
    }

    public BooleanProperty trainingProperty() {
        return training;
    }

    /** The colour theme (View menu); the scene's stylesheets follow it. */
    public ObjectProperty<Theme> themeProperty() {
        return theme;
    }

    public void show(Page page) {
        if (!page.available()) throw new IllegalArgumentException(page + " is not part of this build");
        currentPage.set(page);
    }
}

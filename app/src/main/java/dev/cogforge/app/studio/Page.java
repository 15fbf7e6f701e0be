package dev.cogforge.app.studio;

/** The studio's pages, in navigation order; each has an FXML view {@code /dev/cogforge/ui/<Name>View.fxml}. */
public enum Page {
    DATASET("DatasetView.fxml"),
    CAPTIONS("CaptionsView.fxml"),
    SETTINGS("SettingsView.fxml"),
    TRAIN("TrainView.fxml"),
    SAMPLES("SamplesView.fxml"),
    EXPORT("ExportView.fxml"),
    SYSTEM("SystemView.fxml");

    private final String fxml;

    Page(String fxml) {
        this.fxml = fxml;
    }

    public String resource() {
        return StudioResources.UI_ROOT + fxml;
    }

    /** A page is offered only when its view ships in this build. */
    public boolean available() {
        return Page.class.getResource(resource()) != null;
    }
}

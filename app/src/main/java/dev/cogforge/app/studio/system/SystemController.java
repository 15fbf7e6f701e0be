package dev.cogforge.app.studio.system;

import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.TextArea;

public final class SystemController {
    private final SystemViewModel viewModel;
    @FXML TextArea reportArea;
    @FXML Button refreshButton;

    public SystemController(SystemViewModel viewModel) {
        this.viewModel = viewModel;
    }

    @FXML
    void initialize() {
        reportArea.textProperty().bind(viewModel.reportProperty());
        refreshButton.disableProperty().bind(viewModel.busyProperty());
        refreshButton.setOnAction(e -> viewModel.refresh());
    }
}

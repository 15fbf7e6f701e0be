package dev.cogforge.app.studio.export;

import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/** Binds the Export page; the token is read from the PasswordField only when "Log in" is pressed, then cleared. */
public final class ExportController {
    private final ExportViewModel viewModel;

    @FXML Label runLabel, accountLabel, statusLabel;
    @FXML ComboBox<ExportViewModel.Format> formatBox;
    @FXML ComboBox<String> dtypeBox;
    @FXML Button exportButton, loginButton, pushButton, cancelPushButton;
    @FXML PasswordField tokenField;
    @FXML TextField repoField;
    @FXML CheckBox privateBox;
    @FXML ProgressBar pushProgress;
    @FXML VBox cardBox;
    @FXML Label cardStateLabel;
    @FXML ListView<ExportViewModel.FileProgress> fileList;

    public ExportController(ExportViewModel viewModel) {
        this.viewModel = viewModel;
    }

    @FXML
    void initialize() {
        runLabel.textProperty().bind(viewModel.runDirProperty().asString());
        formatBox.getItems().setAll(ExportViewModel.Format.values());
        formatBox.valueProperty().bindBidirectional(viewModel.formatProperty());
        formatBox.disableProperty().bind(viewModel.fullRunProperty());
        dtypeBox.getItems().setAll("bf16", "fp16", "fp32");
        dtypeBox.valueProperty().bindBidirectional(viewModel.dtypeProperty());
        exportButton.disableProperty().bind(viewModel.busyProperty().or(viewModel.pushingProperty()));
        exportButton.setOnAction(e -> viewModel.export());
        loginButton.disableProperty().bind(viewModel.busyProperty());
        loginButton.setOnAction(e -> {
            viewModel.logIn(tokenField.getText());
            tokenField.clear();
        });
        accountLabel.textProperty().bind(viewModel.accountProperty());
        repoField.textProperty().bindBidirectional(viewModel.repoNameProperty());
        privateBox.selectedProperty().bindBidirectional(viewModel.privateRepoProperty());
        pushButton.disableProperty().bind(viewModel.pushingProperty().or(viewModel.busyProperty()));
        pushButton.setOnAction(e -> viewModel.push());
        cancelPushButton.disableProperty().bind(viewModel.pushingProperty().not());
        cancelPushButton.setOnAction(e -> viewModel.cancelPush());
        pushProgress.progressProperty().bind(viewModel.pushProgressProperty());
        statusLabel.textProperty().bind(viewModel.statusProperty());
        // the page may be opened after the card was previewed: show the current card, then follow changes
        cardBox.getChildren().setAll(MarkdownView.render(viewModel.modelCardProperty().get()));
        viewModel.modelCardProperty().addListener((o, a, md) -> cardBox.getChildren().setAll(MarkdownView.render(md)));
        cardStateLabel.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> viewModel.modelCardProperty().get().isEmpty()
                ? "" : dev.cogforge.app.studio.StudioResources.MESSAGES.getString(viewModel.cardIsPreviewProperty().get()
                        ? "export.card.preview" : "export.card.exported"), viewModel.modelCardProperty(), viewModel.cardIsPreviewProperty()));
        fileList.setItems(viewModel.files());
        fileList.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(ExportViewModel.FileProgress p, boolean empty) {
                super.updateItem(p, empty);
                if (empty || p == null) {
                    setGraphic(null);
                    return;
                }
                ProgressBar bar = new ProgressBar();
                bar.setPrefWidth(90);
                bar.progressProperty().bind(p.fractionProperty());
                Label state = new Label();
                state.textProperty().bind(p.stateProperty());
                setGraphic(new HBox(6, bar, new Label(p.path()), state));
            }
        });
    }
}

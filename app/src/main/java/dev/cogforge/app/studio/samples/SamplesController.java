package dev.cogforge.app.studio.samples;

import java.nio.file.Path;

import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextField;
import javafx.scene.image.ImageView;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;
import javafx.util.converter.DoubleStringConverter;
import javafx.util.converter.IntegerStringConverter;
import javafx.util.converter.LongStringConverter;

/** Binds the Samples page: a tile per validation video, grouped by step; click a tile to play it. */
public final class SamplesController {
    private final SamplesViewModel viewModel;

    @FXML Button refreshButton, compareButton, generateButton, cancelGenerateButton;
    @FXML Label statusLabel, generateStatus;
    @FXML ComboBox<SamplesViewModel.StepGroup> leftBox, rightBox;
    @FXML VBox groupsBox;
    @FXML TextField promptField, seedField, stepsField, guidanceField, weightField;
    @FXML ProgressBar generateProgress;

    public SamplesController(SamplesViewModel viewModel) {
        this.viewModel = viewModel;
    }

    @FXML
    void initialize() {
        refreshButton.setOnAction(e -> viewModel.refresh());
        statusLabel.textProperty().bind(viewModel.statusProperty());
        leftBox.setItems(viewModel.groups());
        rightBox.setItems(viewModel.groups());
        leftBox.valueProperty().bindBidirectional(viewModel.compareLeftProperty());
        rightBox.valueProperty().bindBidirectional(viewModel.compareRightProperty());
        compareButton.setOnAction(e -> viewModel.compare());
        viewModel.groups().addListener((ListChangeListener<SamplesViewModel.StepGroup>) c -> rebuild());
        rebuild();

        promptField.textProperty().bindBidirectional(viewModel.promptProperty());
        seedField.textProperty().bindBidirectional(viewModel.seedProperty().asObject(), new LongStringConverter());
        stepsField.textProperty().bindBidirectional(viewModel.stepsProperty().asObject(), new IntegerStringConverter());
        guidanceField.textProperty().bindBidirectional(viewModel.guidanceProperty().asObject(), new DoubleStringConverter());
        weightField.textProperty().bindBidirectional(viewModel.loraWeightProperty().asObject(), new DoubleStringConverter());
        generateButton.disableProperty().bind(viewModel.generatingProperty());
        generateButton.setOnAction(e -> viewModel.generate());
        cancelGenerateButton.disableProperty().bind(viewModel.generatingProperty().not());
        cancelGenerateButton.setOnAction(e -> viewModel.cancelGenerate());
        generateProgress.progressProperty().bind(viewModel.generateProgressProperty());
        generateStatus.textProperty().bind(viewModel.generateStatusProperty());
        viewModel.generatedProperty().addListener((o, a, video) -> {
            if (video != null) viewModel.play(video);
        });
    }

    private void rebuild() {
        groupsBox.getChildren().clear();
        for (SamplesViewModel.StepGroup g : viewModel.groups()) {
            FlowPane tiles = new FlowPane(8, 8);
            for (Path video : g.videos()) tiles.getChildren().add(tile(video));
            Label title = new Label(g.toString());
            title.getStyleClass().add("page-title");
            groupsBox.getChildren().addAll(title, tiles);
        }
    }

    private VBox tile(Path video) {
        ImageView thumb = new ImageView();
        thumb.setFitWidth(192);
        thumb.setPreserveRatio(true);
        viewModel.thumbnail(video, thumb::setImage);
        VBox tile = new VBox(2, thumb, new Label(video.getFileName().toString()));
        tile.getStyleClass().add("sample-tile");
        tile.setId("sample-" + video.getFileName());
        tile.setUserData(video);
        tile.setOnMouseClicked(e -> viewModel.play(video));
        return tile;
    }
}

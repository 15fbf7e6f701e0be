package dev.cogforge.app.studio.train;

import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.core.train.TrainingEvent;

import io.fair_acc.chartfx.XYChart;
import io.fair_acc.chartfx.axes.spi.DefaultNumericAxis;
import io.fair_acc.dataset.DataSet;

import javafx.fxml.FXML;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.stage.WindowEvent;

/** Binds the Train page; the charts read the ViewModel's ChartFX data sets directly. */
public final class TrainController {
    static final ButtonType STOP_SAVE = new ButtonType(StudioResources.text("train.cancel.save"), ButtonBar.ButtonData.YES);
    static final ButtonType STOP_NO_SAVE = new ButtonType(StudioResources.text("train.cancel.nosave"), ButtonBar.ButtonData.NO);
    static final ButtonType KEEP = new ButtonType(StudioResources.text("train.cancel.keep"), ButtonBar.ButtonData.CANCEL_CLOSE);

    private final TrainViewModel viewModel;

    @FXML BorderPane root;
    @FXML Button startButton, cancelButton, showRunButton, resumeButton;
    @FXML ProgressBar progressBar;
    @FXML Label progressLabel, statusLabel, rankMemoryLabel;
    @FXML VBox chartsBox;
    @FXML ListView<RunSummary> runList;
    @FXML ListView<String> logList;

    public TrainController(TrainViewModel viewModel) {
        this.viewModel = viewModel;
    }

    @FXML
    void initialize() {
        TrainCharts c = viewModel.charts();
        chartsBox.getChildren().addAll(
                chart("lossChart", StudioResources.text("train.chart.loss"), c.lossRaw(), c.lossSmoothed()),
                chart("lrChart", StudioResources.text("train.chart.lr"), c.learningRate()),
                chart("memoryChart", StudioResources.text("train.chart.memory"), c.memoryCurrent(), c.memoryPeak(), c.capacity(), c.estimate()));
        startButton.disableProperty().bind(viewModel.runningProperty());
        startButton.setOnAction(e -> viewModel.start());
        cancelButton.disableProperty().bind(viewModel.runningProperty().not());
        cancelButton.setOnAction(e -> askCancel());
        progressBar.progressProperty().bind(viewModel.progressProperty());
        progressLabel.textProperty().bind(viewModel.progressTextProperty());
        statusLabel.textProperty().bind(viewModel.statusProperty());
        rankMemoryLabel.textProperty().bind(viewModel.rankMemoryProperty());
        rankMemoryLabel.visibleProperty().bind(viewModel.rankMemoryProperty().isNotEmpty());
        rankMemoryLabel.managedProperty().bind(rankMemoryLabel.visibleProperty());
        logList.setItems(viewModel.log());
        viewModel.log().addListener((javafx.collections.ListChangeListener<String>) ch -> {
            if (!viewModel.log().isEmpty()) logList.scrollTo(viewModel.log().size() - 1);
        });
        runList.setItems(viewModel.runs());
        showRunButton.disableProperty().bind(runList.getSelectionModel().selectedItemProperty().isNull().or(viewModel.runningProperty()));
        resumeButton.disableProperty().bind(runList.getSelectionModel().selectedItemProperty().isNull().or(viewModel.runningProperty()));
        showRunButton.setOnAction(e -> viewModel.show(runList.getSelectionModel().getSelectedItem()));
        resumeButton.setOnAction(e -> viewModel.resume(runList.getSelectionModel().getSelectedItem()));
        root.sceneProperty().addListener((o, oldScene, scene) -> {
            if (scene == null) return;
            scene.windowProperty().addListener((ow, oldWindow, window) -> guardClose(window));
            guardClose(scene.getWindow());
        });
        viewModel.lastTerminalProperty().addListener((o, was, end) -> {
            if (end instanceof TrainingEvent.Failed f) {
                dev.cogforge.app.studio.ErrorDialogs.show(root.getScene() == null ? null : root.getScene().getWindow(),
                        "Training stopped with an error at step " + f.step(),
                        "Check the settings (model folder, dataset, memory) and train again; completed checkpoints can be resumed from the list of past runs.",
                        f.cause() != null ? f.cause() : new IllegalStateException(f.message()));
            }
        });
        viewModel.refreshRuns();
    }

    private static XYChart chart(String id, String title, DataSet... sets) {
        DefaultNumericAxis x = new DefaultNumericAxis("step");
        DefaultNumericAxis y = new DefaultNumericAxis(title);
        x.setAutoRanging(true);
        y.setAutoRanging(true);
        y.setForceZeroInRange(false);
        XYChart chart = new XYChart(x, y);
        chart.setId(id);
        chart.setTitle(title);
        chart.setLegendVisible(true);
        chart.getDatasets().addAll(sets);
        chart.setMinHeight(140);
        VBox.setVgrow(chart, Priority.ALWAYS);
        return chart;
    }

    private boolean guarded;

    private void guardClose(Window window) {
        if (window == null || guarded) return;
        guarded = true;
        window.addEventFilter(WindowEvent.WINDOW_CLOSE_REQUEST, e -> {
            if (!viewModel.runningProperty().get()) return;
            e.consume();
            ButtonType stop = new ButtonType(StudioResources.text("train.close.stop"), ButtonBar.ButtonData.YES);
            ButtonType keep = new ButtonType(StudioResources.text("train.close.keep"), ButtonBar.ButtonData.CANCEL_CLOSE);
            Alert a = new Alert(Alert.AlertType.CONFIRMATION, StudioResources.text("train.close.text"), stop, keep);
            a.setHeaderText(StudioResources.text("train.close.title"));
            a.initOwner(window);
            a.showAndWait().filter(stop::equals).ifPresent(b -> viewModel.stopThen(window::hide));
        });
    }

    private void askCancel() {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, null, STOP_SAVE, STOP_NO_SAVE, KEEP);
        a.setHeaderText(StudioResources.text("train.cancel.title"));
        if (root.getScene() != null) a.initOwner(root.getScene().getWindow());
        a.showAndWait().ifPresent(b -> {
            if (b == STOP_SAVE) viewModel.cancel(true);
            else if (b == STOP_NO_SAVE) viewModel.cancel(false);
        });
    }
}

package dev.cogforge.app.studio.train;

import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.core.train.TrainingEvent;

import io.fair_acc.chartfx.XYChart;
import io.fair_acc.chartfx.axes.spi.DefaultNumericAxis;
import io.fair_acc.dataset.DataSet;

import java.util.List;
import java.util.Locale;

import javafx.fxml.FXML;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
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
    @FXML Label failureBanner;
    @FXML TableView<TrainViewModel.RankRow> rankTable;
    @FXML TabPane logTabs;
    @FXML Tab workerLogTab;
    @FXML ComboBox<Integer> workerRankChoice;
    @FXML ListView<TrainViewModel.WorkerLine> workerLogList;

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
        bindRanks();
        viewModel.refreshRuns();
    }

    /** The per-rank memory table, the failure banner and the worker log with its rank selector (multi-process runs). */
    private void bindRanks() {
        failureBanner.textProperty().bind(viewModel.failureBannerProperty());
        failureBanner.visibleProperty().bind(viewModel.failureBannerProperty().isNotEmpty());
        failureBanner.managedProperty().bind(failureBanner.visibleProperty());

        rankTable.setItems(viewModel.rankRows());
        rankTable.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(viewModel.rankRows()));
        rankTable.managedProperty().bind(rankTable.visibleProperty());
        rankTable.setPlaceholder(new Label(""));
        rankTable.getColumns().setAll(List.of(
                column("train.ranks.rank", r -> Integer.toString(r.rank())),
                column("train.ranks.pid", r -> r.pid() > 0 ? Long.toString(r.pid()) : "–"),
                column("train.ranks.current", r -> mib(r.currentBytes())),
                column("train.ranks.peak", r -> mib(r.peakBytes())),
                column("train.ranks.total", r -> r.totalBytes() > 0 ? String.format(Locale.ROOT, "%.1f GiB", r.totalBytes() / (double) (1L << 30)) : "–"),
                usageColumn(),
                column("train.ranks.state", TrainViewModel.RankRow::state)));
        rankTable.setRowFactory(t -> new javafx.scene.control.TableRow<>() {
            @Override
            protected void updateItem(TrainViewModel.RankRow row, boolean empty) {
                super.updateItem(row, empty);
                getStyleClass().remove("rank-failed");
                if (!empty && row != null && row.state().startsWith("failed")) getStyleClass().add("rank-failed");
            }
        });

        workerLogList.setItems(viewModel.visibleWorkerLog());
        workerRankChoice.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Integer rank) {
                if (rank == null || rank == TrainViewModel.ALL_RANKS) return StudioResources.text("train.log.allRanks");
                return java.text.MessageFormat.format(StudioResources.text("train.log.rank"), rank);
            }

            @Override
            public Integer fromString(String text) {
                return TrainViewModel.ALL_RANKS;
            }
        });
        Runnable ranks = () -> {
            List<Integer> choices = new java.util.ArrayList<>();
            choices.add(TrainViewModel.ALL_RANKS);
            for (TrainViewModel.RankRow r : viewModel.rankRows()) choices.add(r.rank());
            if (!choices.equals(workerRankChoice.getItems())) workerRankChoice.getItems().setAll(choices);
            int selected = viewModel.workerLogRankProperty().get();
            workerRankChoice.getSelectionModel().select(Integer.valueOf(choices.contains(selected) ? selected : TrainViewModel.ALL_RANKS));
        };
        ranks.run();
        viewModel.rankRows().addListener((javafx.collections.ListChangeListener<TrainViewModel.RankRow>) ch -> ranks.run());
        workerRankChoice.valueProperty().addListener((o, a, rank) -> {
            if (rank != null) viewModel.workerLogRankProperty().set(rank);
        });
        viewModel.visibleWorkerLog().addListener((javafx.collections.ListChangeListener<TrainViewModel.WorkerLine>) ch -> {
            if (!viewModel.visibleWorkerLog().isEmpty()) workerLogList.scrollTo(viewModel.visibleWorkerLog().size() - 1);
        });
        workerLogTab.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(viewModel.rankRows()));
        // a failed rank's own last lines usually say why: show them
        viewModel.failedRankProperty().addListener((o, a, rank) -> {
            if (rank.intValue() < 0) return;
            viewModel.workerLogRankProperty().set(rank.intValue());
            workerRankChoice.getSelectionModel().select(Integer.valueOf(rank.intValue()));
            logTabs.getSelectionModel().select(workerLogTab);
        });
    }

    private static TableColumn<TrainViewModel.RankRow, String> column(String key, java.util.function.Function<TrainViewModel.RankRow, String> value) {
        TableColumn<TrainViewModel.RankRow, String> c = new TableColumn<>(StudioResources.text(key));
        c.setId(key.substring(key.lastIndexOf('.') + 1) + "Column");
        c.setCellValueFactory(d -> new javafx.beans.property.ReadOnlyStringWrapper(value.apply(d.getValue())));
        c.setSortable(false);
        return c;
    }

    private static TableColumn<TrainViewModel.RankRow, String> usageColumn() {
        TableColumn<TrainViewModel.RankRow, String> c = column("train.ranks.usage", r -> "");
        c.setCellFactory(col -> new TableCell<>() {
            private final ProgressBar bar = new ProgressBar(0);

            @Override
            protected void updateItem(String ignored, boolean empty) {
                super.updateItem(ignored, empty);
                TrainViewModel.RankRow row = empty || getTableRow() == null ? null : getTableRow().getItem();
                if (row == null) {
                    setGraphic(null);
                    return;
                }
                bar.setProgress(row.fill());
                bar.setMaxWidth(Double.MAX_VALUE);
                setGraphic(bar);
            }
        });
        return c;
    }

    private static String mib(long bytes) {
        return bytes > 0 ? String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0) : "–";
    }

    private static XYChart chart(String id, String title, DataSet... sets) {
        DefaultNumericAxis x = new DefaultNumericAxis("step");
        DefaultNumericAxis y = new DefaultNumericAxis(title);
        x.setAxisLabelFormatter(new RobustAxisFormatter(x));
        y.setAxisLabelFormatter(new RobustAxisFormatter(y));
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

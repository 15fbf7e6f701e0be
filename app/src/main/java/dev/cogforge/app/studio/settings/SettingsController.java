package dev.cogforge.app.studio.settings;

import java.io.File;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.train.config.ConfigProblem;

import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/** Builds the grouped form from the ViewModel's fields and binds it; no logic beyond presenting. */
public final class SettingsController {
    private final SettingsViewModel viewModel;

    @FXML ComboBox<Presets.Preset> presetBox;
    @FXML Button applyPresetButton, loadButton, saveButton, importButton;
    @FXML ComboBox<ModelCatalog> estimateModelBox;
    @FXML ComboBox<Integer> deviceBox;
    @FXML Label estimateLabel, messageLabel;
    @FXML VBox groupsBox;
    @FXML ListView<ConfigProblem> problemList;

    public SettingsController(SettingsViewModel viewModel) {
        this.viewModel = viewModel;
    }

    @FXML
    void initialize() {
        presetBox.getItems().setAll(Presets.ALL);
        presetBox.getSelectionModel().selectFirst();
        applyPresetButton.disableProperty().bind(viewModel.busyProperty());
        applyPresetButton.setOnAction(e -> viewModel.applyPreset(presetBox.getValue()));
        estimateModelBox.getItems().setAll(ModelCatalog.values());
        estimateModelBox.valueProperty().bindBidirectional(viewModel.estimateModelProperty());
        deviceBox.getItems().setAll(SettingsViewModel.DEVICE_SIZES_GB);
        deviceBox.setValue(viewModel.deviceGbProperty().get());
        deviceBox.valueProperty().addListener((o, a, b) -> {
            if (b != null) viewModel.deviceGbProperty().set(b);
        });
        estimateLabel.textProperty().bind(viewModel.estimateTextProperty());
        Tooltip detail = new Tooltip();
        detail.textProperty().bind(viewModel.estimateDetailProperty());
        estimateLabel.setTooltip(detail);
        viewModel.fitsProperty().addListener((o, a, fits) -> {
            if (fits) estimateLabel.getStyleClass().remove("estimate-misfit");
            else if (!estimateLabel.getStyleClass().contains("estimate-misfit")) estimateLabel.getStyleClass().add("estimate-misfit");
        });
        messageLabel.textProperty().bind(viewModel.messageProperty());
        problemList.setItems(viewModel.problems());
        problemList.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(ConfigProblem p, boolean empty) {
                super.updateItem(p, empty);
                getStyleClass().removeAll("problem-error", "problem-warning");
                if (empty || p == null) {
                    setText(null);
                } else {
                    setText(p.key() + ": " + p.message());
                    getStyleClass().add(p.isError() ? "problem-error" : "problem-warning");
                }
            }
        });
        buildForm();
        loadButton.setOnAction(e -> load());
        saveButton.setOnAction(e -> save());
        importButton.setOnAction(e -> importCommand());
    }

    private void buildForm() {
        Map<ConfigField.Group, GridPane> grids = new EnumMap<>(ConfigField.Group.class);
        for (ConfigField.Group g : ConfigField.Group.values()) {
            GridPane grid = new GridPane();
            grid.setHgap(8);
            grid.setVgap(4);
            ColumnConstraints label = new ColumnConstraints(230);
            ColumnConstraints control = new ColumnConstraints(180, 320, Double.MAX_VALUE);
            control.setHgrow(Priority.ALWAYS);
            grid.getColumnConstraints().addAll(label, control, new ColumnConstraints(120, 260, Double.MAX_VALUE));
            grids.put(g, grid);
            TitledPane pane = new TitledPane(g.title(), grid);
            pane.setId("group-" + g.name().toLowerCase(java.util.Locale.ROOT));
            groupsBox.getChildren().add(pane);
        }
        for (SettingsViewModel.FieldState s : viewModel.fields()) {
            GridPane grid = grids.get(s.field().group());
            int row = grid.getRowCount();
            Label name = new Label(s.field().key());
            Node control = controlFor(s);
            control.setId("field-" + s.field().key());
            Label problem = new Label();
            problem.setId("problem-" + s.field().key());
            problem.setWrapText(true);
            problem.getStyleClass().add("field-problem");
            problem.textProperty().bind(s.problemProperty());
            s.errorProperty().addListener((o, a, err) -> styleProblem(problem, control, err));
            styleProblem(problem, control, s.errorProperty().get());
            grid.addRow(row, name, control, problem);
        }
        addComputeRows(grids.get(ConfigField.Group.MEMORY));
    }

    /** Device and process count: studio settings (not run-config keys) shown beside the memory options. */
    private void addComputeRows(GridPane grid) {
        ComboBox<ComputeDevice> device = new ComboBox<>(viewModel.devices());
        device.setMaxWidth(Double.MAX_VALUE);
        device.valueProperty().bindBidirectional(viewModel.computeDeviceProperty());
        Spinner<Integer> processes = new Spinner<>(1, 1024, viewModel.processesProperty().get());
        processes.setEditable(true);
        processes.setMaxWidth(Double.MAX_VALUE);
        processes.valueProperty().addListener((o, a, b) -> {
            if (b != null) viewModel.processesProperty().set(b);
        });
        viewModel.processesProperty().addListener((o, a, b) -> processes.getValueFactory().setValue(b.intValue()));
        TextField gpus = new TextField();
        gpus.setPromptText("automatic (from the device on), or e.g. 0,2,3");
        gpus.textProperty().bindBidirectional(viewModel.gpusProperty());
        gpus.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(
                () -> viewModel.computeDeviceProperty().get() == null || !viewModel.computeDeviceProperty().get().isCuda(),
                viewModel.computeDeviceProperty()));
        addComputeRow(grid, "device", device);
        addComputeRow(grid, "processes", processes);
        addComputeRow(grid, "gpus", gpus);
    }

    private void addComputeRow(GridPane grid, String key, Node control) {
        control.setId("field-" + key);
        Label problem = new Label();
        problem.setId("problem-" + key);
        problem.setWrapText(true);
        problem.getStyleClass().add("field-problem");
        Runnable update = () -> {
            List<ConfigProblem> mine = viewModel.problems().stream().filter(p -> p.key().equals(key)).toList();
            problem.setText(mine.stream().map(ConfigProblem::message).collect(Collectors.joining("; ")));
            styleProblem(problem, control, mine.stream().anyMatch(ConfigProblem::isError));
        };
        viewModel.problems().addListener((javafx.collections.ListChangeListener<ConfigProblem>) c -> update.run());
        update.run();
        grid.addRow(grid.getRowCount(), new Label(key), control, problem);
    }

    private static void styleProblem(Label problem, Node control, boolean error) {
        problem.getStyleClass().removeAll("problem-error", "problem-warning");
        problem.getStyleClass().add(error ? "problem-error" : "problem-warning");
        if (error) {
            if (!control.getStyleClass().contains("field-error")) control.getStyleClass().add("field-error");
        } else {
            control.getStyleClass().remove("field-error");
        }
    }

    private Node controlFor(SettingsViewModel.FieldState s) {
        ConfigField f = s.field();
        if (f.kind() == ConfigField.Kind.BOOL) {
            CheckBox box = new CheckBox();
            box.setSelected(Boolean.parseBoolean(s.textProperty().get()));
            box.selectedProperty().addListener((o, a, b) -> s.textProperty().set(Boolean.toString(b)));
            s.textProperty().addListener((o, a, b) -> box.setSelected(Boolean.parseBoolean(b)));
            return box;
        }
        if (!f.choices().isEmpty()) {
            ComboBox<String> box = new ComboBox<>();
            if (f.nullable()) box.getItems().add("");
            box.getItems().addAll(f.choices());
            box.setEditable(true);
            box.setMaxWidth(Double.MAX_VALUE);
            box.setValue(s.textProperty().get());
            box.valueProperty().addListener((o, a, b) -> {
                if (b != null && !b.equals(s.textProperty().get())) s.textProperty().set(b);
            });
            s.textProperty().addListener((o, a, b) -> {
                if (!b.equals(box.getValue())) box.setValue(b);
            });
            return box;
        }
        TextField text = new TextField();
        text.textProperty().bindBidirectional(s.textProperty());
        if (f.nullable()) text.setPromptText("(not set)");
        return text;
    }

    private FileChooser jsonChooser(String title) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Run config (JSON)", "*.json"));
        return chooser;
    }

    private void load() {
        File f = jsonChooser(StudioResources.text("settings.load")).showOpenDialog(groupsBox.getScene().getWindow());
        if (f == null) return;
        try {
            viewModel.load(f.toPath());
        } catch (IOException | RuntimeException e) {
            dev.cogforge.app.studio.ErrorDialogs.show(groupsBox.getScene().getWindow(), "The run config could not be loaded",
                    "Pick a run config JSON saved by CogForge (\"version\": 1).", e);
        }
    }

    private void save() {
        File f = jsonChooser(StudioResources.text("settings.save")).showSaveDialog(groupsBox.getScene().getWindow());
        if (f == null) return;
        try {
            viewModel.save(f.toPath());
        } catch (IOException e) {
            dev.cogforge.app.studio.ErrorDialogs.show(groupsBox.getScene().getWindow(), "The run config could not be saved",
                    "Choose a folder you can write to.", e);
        }
    }

    private void importCommand() {
        Dialog<String> dialog = new Dialog<>();
        dialog.setTitle(StudioResources.text("settings.import"));
        dialog.setHeaderText(StudioResources.text("settings.import.prompt"));
        TextArea area = new TextArea();
        area.setId("importText");
        area.setPrefRowCount(14);
        area.setPrefColumnCount(80);
        area.getStyleClass().add("mono");
        dialog.getDialogPane().setContent(area);
        dialog.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        dialog.setResultConverter(b -> b == ButtonType.OK ? area.getText() : null);
        dialog.showAndWait().ifPresent(text -> {
            SettingsViewModel.ImportSummary r = viewModel.importCommandLine(text);
            StringBuilder b = new StringBuilder();
            if (!r.errors().isEmpty()) b.append("Errors (nothing was applied):\n  ").append(String.join("\n  ", r.errors())).append("\n\n");
            if (!r.unsupported().isEmpty()) b.append("Not used:\n  ").append(String.join("\n  ", r.unsupported())).append("\n\n");
            if (!r.notes().isEmpty()) b.append("Notes:\n  ").append(String.join("\n  ", r.notes()));
            Alert a = new Alert(r.applied() ? Alert.AlertType.INFORMATION : Alert.AlertType.ERROR);
            a.setTitle(StudioResources.text("settings.import"));
            a.setHeaderText(r.applied() ? "Imported " + r.script() : "The command line could not be imported");
            TextArea details = new TextArea(b.toString().strip());
            details.setEditable(false);
            details.setWrapText(true);
            a.getDialogPane().setContent(details);
            a.show();
        });
    }
}

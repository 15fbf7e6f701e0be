package dev.cogforge.app.studio.dataset;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import dev.cogforge.app.studio.MainViewModel;
import dev.cogforge.app.studio.Page;
import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.app.studio.player.ClipPlayer;
import dev.cogforge.app.studio.player.PlayerPane;
import dev.cogforge.core.data.Problem;

import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.skin.VirtualFlow;
import javafx.scene.input.DragEvent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.stage.DirectoryChooser;

import org.controlsfx.control.GridView;

import impl.org.controlsfx.skin.GridViewSkin;

/**
 * Binds the Dataset page to {@link DatasetViewModel}; the whole window accepts dropped files and folders. The clips
 * show as a grid of tiles or as the detailed list; both views show the ViewModel's filtered, sorted clips and follow
 * its one selection. Only the view on screen asks for thumbnails, and only for the clips it shows.
 */
public final class DatasetController {
    private static final KeyCombination SAVE = new KeyCodeCombination(KeyCode.S, KeyCombination.SHORTCUT_DOWN);

    private final DatasetViewModel viewModel;
    private final ClipPlayer player;
    private final MainViewModel main;

    @FXML BorderPane root;
    @FXML TextField filterField;
    @FXML CheckBox problemsOnlyCheck;
    @FXML ComboBox<ClipSort> sortBox;
    @FXML Button openButton, excludeButton, deleteButton, saveButton;
    @FXML ListView<ClipItem> clipList;
    @FXML GridView<ClipItem> clipGrid;
    @FXML ToggleButton gridToggle, listToggle;
    @FXML Label gridPlaceholder;
    private ThumbnailFeeder listThumbnails, gridThumbnails;
    private GridItems gridItems;
    @FXML PlayerPane playerPane;
    @FXML Label captionLabel, bucketSummaryLabel, activityLabel, dirtyLabel, datasetLabel, dropHint;
    @FXML ListView<Problem> problemList;

    public DatasetController(DatasetViewModel viewModel, ClipPlayer player, MainViewModel main) {
        this.viewModel = viewModel;
        this.player = player;
        this.main = main;
    }

    @FXML
    void initialize() {
        filterField.textProperty().bindBidirectional(viewModel.filterTextProperty());
        problemsOnlyCheck.selectedProperty().bindBidirectional(viewModel.problemsOnlyProperty());
        sortBox.getItems().setAll(ClipSort.values());
        sortBox.valueProperty().bindBidirectional(viewModel.sortProperty());
        clipList.setItems(viewModel.visibleClips());
        clipList.setCellFactory(list -> new ClipCell());
        listThumbnails = new ThumbnailFeeder(clipList, viewModel.visibleClips(), () -> 1, viewModel::requestThumbnail);
        clipList.setPlaceholder(new Label(StudioResources.text("dataset.empty")));
        clipList.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now != null) viewModel.selectedProperty().set(now);
        });
        clipList.addEventFilter(KeyEvent.KEY_PRESSED, this::playKeys);
        setUpGrid();
        viewModel.selectedProperty().addListener((o, was, now) -> {
            selectInList(now);
            revealInGrid(now);
        });
        setUpViewToggle();
        for (javafx.scene.control.Control view : List.of(clipGrid, clipList)) {
            MenuItem clear = new MenuItem(StudioResources.text("dataset.clearThumbnails"));
            clear.setOnAction(e -> viewModel.clearThumbnailCache());
            view.setContextMenu(new ContextMenu(clear));
        }
        playerPane.attach(player);

        captionLabel.textProperty().bind(Bindings.createStringBinding(() -> {
            ClipItem c = viewModel.selectedProperty().get();
            return c == null ? "" : c.caption();
        }, viewModel.selectedProperty(), viewModel.clips()));
        bucketSummaryLabel.textProperty().bind(viewModel.bucketSummaryProperty());
        activityLabel.textProperty().bind(viewModel.activityProperty());
        dirtyLabel.visibleProperty().bind(viewModel.dirtyProperty());
        datasetLabel.textProperty().bind(Bindings.createStringBinding(() -> viewModel.dataset() == null ? ""
                : viewModel.dataset().format().id() + " \u00B7 " + viewModel.dataset().root(), viewModel.datasetProperty()));

        problemList.setItems(viewModel.problems());
        problemList.setCellFactory(list -> new ListCell<>() {
            @Override
            protected void updateItem(Problem p, boolean empty) {
                super.updateItem(p, empty);
                getStyleClass().removeAll("problem-error", "problem-warning");
                if (empty || p == null) {
                    setText(null);
                    return;
                }
                getStyleClass().add(p.severity() == Problem.Severity.ERROR ? "problem-error" : "problem-warning");
                setText((p.severity() == Problem.Severity.ERROR ? "\u26D4 " : "\u26A0 ") + p.message()
                        + (p.line() > 0 ? "  (" + p.file().getFileName() + ":" + p.line() + ")" : ""));
            }
        });
        problemList.getSelectionModel().selectedItemProperty().addListener((o, was, p) -> {
            ClipItem c = p == null ? null : viewModel.clipOf(p);
            if (c != null) viewModel.selectedProperty().set(c);
        });

        excludeButton.disableProperty().bind(viewModel.selectedProperty().isNull());
        deleteButton.disableProperty().bind(viewModel.selectedProperty().isNull());
        viewModel.selectedProperty().addListener((o, was, now) -> updateExcludeText());
        excludeButton.setOnAction(e -> toggleExclude());
        deleteButton.setOnAction(e -> confirmDelete());
        saveButton.disableProperty().bind(viewModel.dirtyProperty().not());
        saveButton.setOnAction(e -> viewModel.save());
        openButton.setOnAction(e -> chooseFolder());
        root.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (SAVE.match(e)) {
                viewModel.save();
                e.consume();
            } else if (e.getCode() == KeyCode.DELETE && (clipList.isFocused() || clipGrid.isFocused())
                    && viewModel.selectedProperty().get() != null) {
                confirmDelete();
                e.consume();
            }
        });

        viewModel.errorProperty().addListener((o, was, message) -> {
            if (message == null || message.isEmpty()) return;
            Platform.runLater(() -> {
                viewModel.errorProperty().set("");
                dev.cogforge.app.studio.ErrorDialogs.showMessage(root.getScene() == null ? null : root.getScene().getWindow(),
                        StudioResources.text("dataset.error"), message,
                        "Check that the files exist and are readable, then try again.");
            });
        });
        root.sceneProperty().addListener((o, was, scene) -> {
            if (scene != null) acceptDrops(scene);
        });
        if (root.getScene() != null) acceptDrops(root.getScene());
    }

    private void setUpGrid() {
        gridItems = new GridItems(viewModel.visibleClips(), clipGrid);
        clipGrid.setItems(gridItems.items());
        clipGrid.setFocusTraversable(true);
        clipGrid.setCellFactory(grid -> {
            ClipTile tile = new ClipTile(viewModel.selectedProperty());
            tile.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
                if (tile.clip() == null || e.getButton() != MouseButton.PRIMARY) return;
                viewModel.selectedProperty().set(tile.clip());
                clipGrid.requestFocus();
                if (e.getClickCount() == 2) playFromStart();
            });
            return tile;
        });
        clipGrid.addEventHandler(KeyEvent.KEY_PRESSED, this::gridKeys);
        gridThumbnails = new ThumbnailFeeder(clipGrid, gridItems.items(), this::gridColumns, viewModel::requestThumbnail);
        gridPlaceholder.visibleProperty().bind(clipGrid.visibleProperty().and(Bindings.isEmpty(gridItems.items())));
    }

    private void setUpViewToggle() {
        ToggleGroup views = new ToggleGroup();
        gridToggle.setToggleGroup(views);
        listToggle.setToggleGroup(views);
        views.selectedToggleProperty().addListener((o, was, now) -> {
            if (now == null) views.selectToggle(was); // one view is always on
            else viewModel.gridViewProperty().set(now == gridToggle);
        });
        viewModel.gridViewProperty().addListener((o, was, grid) -> showView(grid));
        showView(viewModel.gridViewProperty().get());
    }

    private void showView(boolean grid) {
        (grid ? gridToggle : listToggle).setSelected(true);
        boolean focused = clipGrid.isFocused() || clipList.isFocused();
        clipGrid.setVisible(grid);
        clipList.setVisible(!grid);
        Node shown = grid ? clipGrid : clipList;
        (grid ? gridThumbnails : listThumbnails).requestShown();
        ClipItem selected = viewModel.selectedProperty().get();
        if (grid) revealInGrid(selected);
        else selectInList(selected);
        if (focused) shown.requestFocus();
    }

    private void gridKeys(KeyEvent e) {
        if (e.getCode() == KeyCode.ENTER || e.getCode() == KeyCode.SPACE) {
            playKeys(e);
            return;
        }
        if (e.isShortcutDown() || e.isAltDown() || e.isShiftDown()) return;
        gridItems.sync();
        List<ClipItem> items = clipGrid.getItems();
        int next = GridNavigation.move(items.indexOf(viewModel.selectedProperty().get()), e.getCode(), gridColumns(),
                items.size(), gridVisibleRows());
        if (next < 0) return;
        e.consume(); // arrows would otherwise move the keyboard focus to the next control
        viewModel.selectedProperty().set(items.get(next));
    }

    /** Enter plays the selected clip from its start, Space pauses or resumes it. */
    private void playKeys(KeyEvent e) {
        if (e.getCode() != KeyCode.ENTER && e.getCode() != KeyCode.SPACE) return;
        if (e.isShortcutDown() || e.isAltDown()) return;
        ClipItem clip = viewModel.selectedProperty().get();
        if (clip == null) return;
        e.consume();
        Path file = viewModel.mediaFile(clip);
        if (e.getCode() == KeyCode.SPACE && file != null && file.equals(player.clipProperty().get())) player.togglePlay();
        else playFromStart();
    }

    private void playFromStart() {
        Path file = viewModel.mediaFile(viewModel.selectedProperty().get());
        if (file != null) player.open(file, true);
    }

    /** Tiles per row as the grid lays them out now. */
    int gridColumns() {
        return clipGrid.getSkin() instanceof GridViewSkin<?> skin ? Math.max(1, skin.computeMaxCellsInRow()) : 1;
    }

    private int gridVisibleRows() {
        double rowHeight = clipGrid.getCellHeight() + 2 * clipGrid.getVerticalCellSpacing();
        return Math.max(1, (int) (clipGrid.getHeight() / Math.max(1, rowHeight)));
    }

    private void revealInGrid(ClipItem clip) {
        if (clip == null) return;
        gridItems.sync();
        int i = clipGrid.getItems().indexOf(clip);
        if (i >= 0 && clipGrid.lookup(".virtual-flow") instanceof VirtualFlow<?> flow) flow.scrollTo(i / gridColumns());
    }

    private void selectInList(ClipItem clip) {
        if (clip == null) {
            clipList.getSelectionModel().clearSelection();
        } else if (clipList.getSelectionModel().getSelectedItem() != clip) {
            clipList.getSelectionModel().select(clip);
            int i = clipList.getItems().indexOf(clip);
            if (i >= 0) clipList.scrollTo(i);
        }
    }

    private void updateExcludeText() {
        ClipItem c = viewModel.selectedProperty().get();
        excludeButton.setText(StudioResources.text(c != null && c.isExcluded() ? "dataset.include" : "dataset.exclude"));
    }

    private void toggleExclude() {
        ClipItem c = viewModel.selectedProperty().get();
        if (c == null) return;
        try {
            viewModel.setExcluded(c, !c.isExcluded());
        } catch (IllegalStateException ex) {
            viewModel.errorProperty().set(ex.getMessage());
        }
        updateExcludeText();
    }

    private void confirmDelete() {
        ClipItem c = viewModel.selectedProperty().get();
        if (c == null) return;
        DeleteDialog dialog = new DeleteDialog(root.getScene().getWindow(), c, viewModel.deleteRemovesFiles());
        dialog.resultProperty().addListener((o, was, deleteFiles) -> {
            if (deleteFiles == null) return;
            try {
                viewModel.delete(c, deleteFiles);
            } catch (IOException | IllegalStateException ex) {
                viewModel.errorProperty().set("Cannot delete " + c.name() + ": " + ex.getMessage());
            }
        });
        dialog.show();
    }

    private void chooseFolder() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle(StudioResources.text("dataset.open"));
        File dir = chooser.showDialog(root.getScene().getWindow());
        if (dir != null) viewModel.open(dir.toPath());
    }

    private void acceptDrops(Scene scene) {
        if (scene.getProperties().putIfAbsent(DatasetController.class, Boolean.TRUE) != null) return;
        scene.addEventHandler(DragEvent.DRAG_OVER, e -> {
            if (e.getDragboard().hasFiles()) {
                e.acceptTransferModes(TransferMode.COPY, TransferMode.LINK);
                e.consume();
            }
        });
        scene.addEventHandler(DragEvent.DRAG_DROPPED, e -> {
            if (!e.getDragboard().hasFiles()) return;
            List<Path> dropped = e.getDragboard().getFiles().stream().map(File::toPath).toList();
            e.setDropCompleted(true);
            e.consume();
            importDropped(dropped);
        });
    }

    /** Reads the drop in the background, then shows the import dialog (never from inside the drop handler). */
    public void importDropped(List<Path> dropped) {
        main.show(Page.DATASET);
        viewModel.prepareImport(dropped).whenComplete((plan, failure) -> Platform.runLater(() -> {
            if (failure != null) {
                viewModel.errorProperty().set("Cannot read the dropped files: " + failure.getMessage());
                return;
            }
            ImportDialog dialog = new ImportDialog(root.getScene().getWindow(), plan);
            dialog.resultProperty().addListener((o, was, mode) -> {
                if (mode != null) viewModel.performImport(plan, mode);
            });
            dialog.show();
        }));
    }
}

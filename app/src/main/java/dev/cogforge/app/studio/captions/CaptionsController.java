package dev.cogforge.app.studio.captions;

import dev.cogforge.app.studio.dataset.ClipItem;
import dev.cogforge.app.studio.player.ClipPlayer;
import dev.cogforge.app.studio.player.PlayerPane;

import javafx.fxml.FXML;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;

/** Binds the Captions page; all keyboard shortcuts are handled here and delegated to {@link CaptionsViewModel}. */
public final class CaptionsController {
    private static final KeyCombination UNDO = new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN);
    private static final KeyCombination REDO = new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN);
    private static final KeyCombination REDO_Y = new KeyCodeCombination(KeyCode.Y, KeyCombination.SHORTCUT_DOWN);
    private static final KeyCombination SAVE = new KeyCodeCombination(KeyCode.S, KeyCombination.SHORTCUT_DOWN);
    private static final KeyCombination FIND = new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN);
    private static final KeyCombination NEXT = new KeyCodeCombination(KeyCode.DOWN, KeyCombination.ALT_DOWN);
    private static final KeyCombination PREVIOUS = new KeyCodeCombination(KeyCode.UP, KeyCombination.ALT_DOWN);

    private final CaptionsViewModel viewModel;
    private final ClipPlayer player;

    @FXML BorderPane root;
    @FXML ListView<ClipItem> captionList;
    @FXML PlayerPane playerPane;
    @FXML TextArea captionArea;
    @FXML Label tokenLabel, previewLabel, dirtyLabel, findStatusLabel, clipNameLabel;
    @FXML TextField idTokenField, findField, replaceField;
    @FXML CheckBox matchCaseCheck;
    @FXML Button undoButton, redoButton, saveButton, findButton, findNextButton, replaceAllButton, closeFindButton;
    @FXML HBox findBar;

    public CaptionsController(CaptionsViewModel viewModel, ClipPlayer player) {
        this.viewModel = viewModel;
        this.player = player;
    }

    @FXML
    void initialize() {
        var data = viewModel.data();
        captionList.setItems(data.visibleClips());
        captionList.setCellFactory(list -> new ListCell<>() {
            {
                setPrefWidth(0); // as wide as the list: long captions end in an ellipsis
            }

            @Override
            protected void updateItem(ClipItem c, boolean empty) {
                super.updateItem(c, empty);
                setText(empty || c == null ? null : (c.modifiedProperty().get() ? "\u25CF " : "") + c.name() + "\n"
                        + (c.caption().isBlank() ? "(no caption)" : c.caption()));
            }
        });
        captionList.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now != null) data.selectedProperty().set(now);
        });
        data.selectedProperty().addListener((o, was, now) -> selectInList(now));
        selectInList(data.selectedProperty().get());
        playerPane.attach(player);

        captionArea.textProperty().bindBidirectional(viewModel.editorTextProperty());
        captionArea.editableProperty().bind(viewModel.editableProperty());
        clipNameLabel.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> data.selectedProperty().get() == null ? "" : data.selectedProperty().get().media(), data.selectedProperty()));
        tokenLabel.textProperty().bind(viewModel.tokenTextProperty());
        viewModel.tooLongProperty().addListener((o, was, now) -> styleTokens(now));
        styleTokens(viewModel.tooLongProperty().get());
        previewLabel.textProperty().bind(viewModel.previewProperty());
        idTokenField.textProperty().bindBidirectional(viewModel.idTokenProperty());
        dirtyLabel.visibleProperty().bind(data.dirtyProperty());

        undoButton.disableProperty().bind(viewModel.canUndoProperty().not());
        redoButton.disableProperty().bind(viewModel.canRedoProperty().not());
        saveButton.disableProperty().bind(data.dirtyProperty().not());
        undoButton.setOnAction(e -> viewModel.undo());
        redoButton.setOnAction(e -> viewModel.redo());
        saveButton.setOnAction(e -> viewModel.save());

        findField.textProperty().bindBidirectional(viewModel.findTextProperty());
        replaceField.textProperty().bindBidirectional(viewModel.replaceTextProperty());
        matchCaseCheck.selectedProperty().bindBidirectional(viewModel.matchCaseProperty());
        findStatusLabel.textProperty().bind(viewModel.findStatusProperty());
        findButton.setOnAction(e -> showFind(true));
        closeFindButton.setOnAction(e -> showFind(false));
        findNextButton.setOnAction(e -> findNext());
        findField.setOnAction(e -> findNext());
        replaceAllButton.setOnAction(e -> viewModel.replaceAll());
        showFind(false);

        // filters run before the TextArea's own bindings, so its built-in undo never sees these keys
        captionArea.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (NEXT.match(e)) {
                viewModel.next();
                e.consume();
            } else if (PREVIOUS.match(e)) {
                viewModel.previous();
                e.consume();
            }
        });
        root.addEventFilter(KeyEvent.KEY_PRESSED, this::onKey);
    }

    private void onKey(KeyEvent e) {
        Node focus = root.getScene() == null ? null : root.getScene().getFocusOwner();
        boolean typing = focus instanceof TextInputControl;
        if (REDO.match(e) || REDO_Y.match(e)) {
            if (focus != findField && focus != replaceField && focus != idTokenField) {
                viewModel.redo();
                e.consume();
            }
        } else if (UNDO.match(e)) {
            if (focus != findField && focus != replaceField && focus != idTokenField) {
                viewModel.undo();
                e.consume();
            }
        } else if (SAVE.match(e)) {
            viewModel.save();
            e.consume();
        } else if (FIND.match(e)) {
            showFind(true);
            e.consume();
        } else if (e.getCode() == KeyCode.ESCAPE && findBar.isVisible()) {
            showFind(false);
            e.consume();
        } else if (!typing && !e.isAltDown() && !e.isShortcutDown() && (e.getCode() == KeyCode.UP || e.getCode() == KeyCode.DOWN)) {
            if (e.getCode() == KeyCode.DOWN) viewModel.next(); else viewModel.previous();
            e.consume();
        }
    }

    private void styleTokens(boolean tooLong) {
        tokenLabel.getStyleClass().remove("token-warning");
        if (tooLong) tokenLabel.getStyleClass().add("token-warning");
    }

    private void showFind(boolean show) {
        findBar.setVisible(show);
        findBar.setManaged(show);
        if (show) {
            findField.requestFocus();
            findField.selectAll();
        } else {
            captionArea.requestFocus();
        }
    }

    private void findNext() {
        int from = captionArea.getSelection().getLength() > 0 ? captionArea.getSelection().getEnd() : captionArea.getCaretPosition();
        CaptionsViewModel.Match m = viewModel.findNext(from);
        if (m != null) captionArea.selectRange(m.start(), m.end());
    }

    private void selectInList(ClipItem clip) {
        if (clip == null) {
            captionList.getSelectionModel().clearSelection();
        } else if (captionList.getSelectionModel().getSelectedItem() != clip) {
            captionList.getSelectionModel().select(clip);
            int i = captionList.getItems().indexOf(clip);
            if (i >= 0) captionList.scrollTo(i);
        }
    }
}

package dev.cogforge.app.studio.dataset;

import dev.cogforge.app.studio.StudioResources;

import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/** Confirms a delete; the result says whether the files go too (only when the box is ticked). */
final class DeleteDialog extends Dialog<Boolean> {
    static final ButtonType DELETE = new ButtonType(StudioResources.text("delete.confirm"), ButtonBar.ButtonData.OK_DONE);

    DeleteDialog(Window owner, ClipItem clip, boolean filesMustGo) {
        initOwner(owner);
        setTitle(StudioResources.text("delete.title"));
        setHeaderText(StudioResources.text("delete.header") + " " + clip.name());
        CheckBox files = new CheckBox(StudioResources.text("delete.files"));
        files.setId("deleteFiles");
        files.setSelected(filesMustGo);
        files.setDisable(filesMustGo);
        Label note = new Label(StudioResources.text(filesMustGo ? "delete.note.folder" : "delete.note"));
        note.setWrapText(true);
        VBox content = new VBox(10, note, files);
        content.setPrefWidth(520);
        getDialogPane().setContent(content);
        getDialogPane().getButtonTypes().setAll(DELETE, ButtonType.CANCEL);
        getDialogPane().getStylesheets().add(StudioResources.stylesheet().toExternalForm());
        setResultConverter(b -> b == DELETE ? files.isSelected() : null);
    }
}

package dev.cogforge.app.studio.dataset;

import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.core.data.Problem;

import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

/** Shows what a drop would import and asks where the clips go; the result is the chosen {@link ImportMode}. */
final class ImportDialog extends Dialog<ImportMode> {
    static final ButtonType IMPORT = new ButtonType(StudioResources.text("import.confirm"), ButtonBar.ButtonData.OK_DONE);

    ImportDialog(Window owner, ImportPlan plan) {
        initOwner(owner);
        setTitle(StudioResources.text("import.title"));
        setHeaderText(StudioResources.text("import.header"));
        Label summary = new Label(plan.describe());
        summary.setId("importSummary");
        summary.setWrapText(true);
        VBox content = new VBox(10, summary);
        if (!plan.problems().isEmpty()) {
            ListView<String> problems = new ListView<>();
            problems.setId("importProblems");
            for (Problem p : plan.problems()) {
                problems.getItems().add((p.severity() == Problem.Severity.ERROR ? "error: " : "warning: ")
                        + p.location() + ": " + p.message());
            }
            problems.setPrefHeight(Math.min(200, 28 + 24 * plan.problems().size()));
            content.getChildren().add(problems);
        }
        ToggleGroup where = new ToggleGroup();
        RadioButton copy = new RadioButton(plan.copyTarget() == null ? StudioResources.text("import.copy.none")
                : StudioResources.text("import.copy") + " " + plan.copyTarget().resolve("videos"));
        copy.setId("importCopy");
        copy.setToggleGroup(where);
        copy.setDisable(!plan.canCopy());
        RadioButton reference = new RadioButton(StudioResources.text(plan.canReference() ? "import.reference" : "import.reference.none"));
        reference.setId("importReference");
        reference.setToggleGroup(where);
        reference.setDisable(!plan.canReference());
        if (plan.canCopy()) copy.setSelected(true);
        else if (plan.canReference()) reference.setSelected(true);
        Label note = new Label(StudioResources.text("import.note"));
        note.setWrapText(true);
        note.getStyleClass().add("hint");
        content.getChildren().addAll(copy, reference, note);
        content.setPrefWidth(620);
        getDialogPane().setContent(content);
        getDialogPane().getButtonTypes().setAll(IMPORT, ButtonType.CANCEL);
        getDialogPane().lookupButton(IMPORT).setId("importConfirm");
        getDialogPane().lookupButton(IMPORT).disableProperty().bind(where.selectedToggleProperty().isNull());
        getDialogPane().getStylesheets().add(StudioResources.stylesheet().toExternalForm());
        setResultConverter(button -> button == IMPORT
                ? (where.getSelectedToggle() == copy ? ImportMode.COPY : ImportMode.REFERENCE) : null);
    }
}

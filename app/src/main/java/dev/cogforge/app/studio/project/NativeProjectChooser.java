package dev.cogforge.app.studio.project;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.cogforge.app.studio.StudioResources;
import dev.cogforge.core.project.StudioProject;

import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/** The platform's file dialogs, filtered to {@code *.cogforge.json}, and a small dialog for a new project. */
public final class NativeProjectChooser implements ProjectChooser {
    private static final FileChooser.ExtensionFilter PROJECTS =
            new FileChooser.ExtensionFilter("CogForge project (*" + StudioProject.EXTENSION + ")", "*" + StudioProject.EXTENSION);

    @Override
    public Optional<NewProject> askNewProject(Window owner, Path suggestedFolder) {
        Dialog<NewProject> dialog = new Dialog<>();
        dialog.initOwner(owner);
        dialog.setTitle(StudioResources.text("menu.file.new"));
        TextField name = new TextField();
        name.setId("newProjectName");
        name.setPromptText("my-lora");
        TextField folder = new TextField(suggestedFolder == null ? "" : suggestedFolder.toString());
        folder.setId("newProjectFolder");
        Button browse = new Button("…");
        browse.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            File start = folder.getText().isBlank() ? null : new File(folder.getText());
            if (start != null && start.isDirectory()) chooser.setInitialDirectory(start);
            File picked = chooser.showDialog(dialog.getDialogPane().getScene().getWindow());
            if (picked != null) folder.setText(picked.getPath());
        });
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(6);
        grid.setPadding(new Insets(8));
        grid.addRow(0, new Label(StudioResources.text("project.name")), name);
        grid.addRow(1, new Label(StudioResources.text("project.folder")), folder, browse);
        GridPane.setHgrow(folder, Priority.ALWAYS);
        dialog.getDialogPane().setContent(grid);
        dialog.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        dialog.getDialogPane().lookupButton(ButtonType.OK).disableProperty()
                .bind(name.textProperty().isEmpty().or(folder.textProperty().isEmpty()));
        dialog.setResultConverter(b -> b == ButtonType.OK ? new NewProject(name.getText().strip(), Path.of(folder.getText().strip())) : null);
        return dialog.showAndWait();
    }

    @Override
    public Optional<Path> chooseProjectToOpen(Window owner, Path initialFolder) {
        FileChooser chooser = chooser(StudioResources.text("menu.file.open"), initialFolder);
        return Optional.ofNullable(chooser.showOpenDialog(owner)).map(File::toPath);
    }

    @Override
    public Optional<Path> chooseSaveLocation(Window owner, Path initialFolder, String suggestedFileName) {
        FileChooser chooser = chooser(StudioResources.text("menu.file.saveAs"), initialFolder);
        chooser.setInitialFileName(suggestedFileName);
        return Optional.ofNullable(chooser.showSaveDialog(owner)).map(File::toPath);
    }

    private static FileChooser chooser(String title, Path initialFolder) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().add(PROJECTS);
        if (initialFolder != null && Files.isDirectory(initialFolder)) chooser.setInitialDirectory(initialFolder.toFile());
        return chooser;
    }
}

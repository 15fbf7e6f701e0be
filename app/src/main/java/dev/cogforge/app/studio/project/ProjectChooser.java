package dev.cogforge.app.studio.project;

import java.nio.file.Path;
import java.util.Optional;

import javafx.stage.Window;

/** Asks the user for project files and for a new project's name and folder; UI tests substitute their answers. */
public interface ProjectChooser {
    record NewProject(String name, Path folder) {}

    Optional<NewProject> askNewProject(Window owner, Path suggestedFolder);

    Optional<Path> chooseProjectToOpen(Window owner, Path initialFolder);

    Optional<Path> chooseSaveLocation(Window owner, Path initialFolder, String suggestedFileName);
}

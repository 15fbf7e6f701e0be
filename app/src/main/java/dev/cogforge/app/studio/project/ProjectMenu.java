package dev.cogforge.app.studio.project;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

import dev.cogforge.core.project.StudioProject;

import javafx.collections.ListChangeListener;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.stage.Window;

/** Binds the File menu's project items to a {@link ProjectViewModel}; failures are shown, never swallowed. */
public final class ProjectMenu {
    private final ProjectViewModel viewModel;
    private final Supplier<ProjectChooser> chooser;
    private final Supplier<Window> owner;

    public ProjectMenu(ProjectViewModel viewModel, Supplier<ProjectChooser> chooser, Supplier<Window> owner) {
        this.viewModel = viewModel;
        this.chooser = chooser;
        this.owner = owner;
    }

    public void bind(MenuItem newItem, MenuItem openItem, MenuItem saveItem, MenuItem saveAsItem, Menu recentMenu) {
        newItem.setOnAction(e -> newProject());
        openItem.setOnAction(e -> chooser.get().chooseProjectToOpen(owner.get(), currentFolder()).ifPresent(this::open));
        saveItem.setOnAction(e -> save());
        saveAsItem.setOnAction(e -> saveAs());
        viewModel.recent().addListener((ListChangeListener<Path>) c -> fillRecent(recentMenu));
        fillRecent(recentMenu);
    }

    private void fillRecent(Menu recentMenu) {
        recentMenu.getItems().clear();
        int i = 0;
        for (Path file : viewModel.recent()) {
            MenuItem item = new MenuItem(ProjectViewModel.label(file));
            item.setId("recentProject" + i++);
            item.setMnemonicParsing(false);
            item.setOnAction(e -> open(file));
            recentMenu.getItems().add(item);
        }
        recentMenu.setDisable(recentMenu.getItems().isEmpty());
    }

    private void newProject() {
        Path suggested = currentFolder() != null ? currentFolder().getParent() : Path.of(System.getProperty("user.home"));
        chooser.get().askNewProject(owner.get(), suggested).ifPresent(p -> {
            try {
                viewModel.create(p.name(), p.folder());
            } catch (IOException | RuntimeException ex) {
                fail("The project could not be created", ex);
            }
        });
    }

    private void open(Path file) {
        try {
            viewModel.open(file);
        } catch (IOException | RuntimeException ex) {
            viewModel.refreshRecent();
            fail("The project could not be opened", ex);
        }
    }

    private void save() {
        try {
            if (!viewModel.save()) saveAs();
        } catch (IOException | RuntimeException ex) {
            fail("The project could not be saved", ex);
        }
    }

    private void saveAs() {
        StudioProject p = viewModel.projectProperty().get();
        String suggested = ProjectViewModel.fileNameFor(p == null ? "project" : p.name());
        chooser.get().chooseSaveLocation(owner.get(), currentFolder(), suggested).ifPresent(file -> {
            try {
                viewModel.saveAs(file);
            } catch (IOException | RuntimeException ex) {
                fail("The project could not be saved", ex);
            }
        });
    }

    private Path currentFolder() {
        Path f = viewModel.projectFileProperty().get();
        return f == null ? null : f.getParent();
    }

    private void fail(String header, Exception e) {
        Alert a = new Alert(Alert.AlertType.ERROR, e.getMessage() == null ? e.toString() : e.getMessage(), ButtonType.OK);
        a.setHeaderText(header);
        Window w = owner.get();
        if (w != null) a.initOwner(w);
        a.show();
    }
}

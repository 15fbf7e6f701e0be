package dev.cogforge.app.studio;

import java.util.EnumMap;
import java.util.Map;

import dev.cogforge.app.studio.project.ProjectMenu;

import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;

/** Binds the main window to {@link MainViewModel}; page views are loaded on first visit and kept. */
public final class MainController {
    private final MainViewModel viewModel;
    private final StudioContext context;
    private final Map<Page, Parent> loadedPages = new EnumMap<>(Page.class);

    @FXML BorderPane root;
    @FXML StackPane pageHost;
    @FXML ToggleButton datasetNav, captionsNav, settingsNav, trainNav, samplesNav, exportNav, systemNav;
    @FXML Label statusLabel, deviceLabel;
    @FXML Button trainButton;
    @FXML MenuItem newProjectItem, openProjectItem, saveProjectItem, saveProjectAsItem, quitItem, aboutItem;
    @FXML Menu recentProjectsMenu;
    @FXML RadioMenuItem darkThemeItem, lightThemeItem;

    public MainController(MainViewModel viewModel, StudioContext context) {
        this.viewModel = viewModel;
        this.context = context;
    }

    @FXML
    void initialize() {
        Map<Page, ToggleButton> nav = new EnumMap<>(Page.class);
        nav.put(Page.DATASET, datasetNav);
        nav.put(Page.CAPTIONS, captionsNav);
        nav.put(Page.SETTINGS, settingsNav);
        nav.put(Page.TRAIN, trainNav);
        nav.put(Page.SAMPLES, samplesNav);
        nav.put(Page.EXPORT, exportNav);
        nav.put(Page.SYSTEM, systemNav);
        nav.forEach((page, button) -> {
            boolean offered = page.available();
            button.setVisible(offered);
            button.setManaged(offered);
            button.setOnAction(e -> {
                viewModel.show(page);
                button.setSelected(true);
            });
        });
        viewModel.currentPageProperty().addListener((obs, old, page) -> showPage(page, nav));
        showPage(viewModel.currentPageProperty().get(), nav);
        statusLabel.textProperty().bind(viewModel.statusProperty());
        deviceLabel.textProperty().bind(viewModel.deviceProperty());
        trainButton.setVisible(Page.TRAIN.available());
        trainButton.setManaged(Page.TRAIN.available());
        trainButton.setOnAction(e -> {
            viewModel.show(Page.TRAIN);
            context.training().train().start();
        });
        trainButton.disableProperty().bind(viewModel.trainingProperty());
        quitItem.setOnAction(e -> root.getScene().getWindow().hide());
        new ProjectMenu(context.project(), context::projectChooser, () -> root.getScene() == null ? null : root.getScene().getWindow())
                .bind(newProjectItem, openProjectItem, saveProjectItem, saveProjectAsItem, recentProjectsMenu);
        bindThemeMenu();
    }

    private void bindThemeMenu() {
        Runnable select = () -> (viewModel.themeProperty().get() == Theme.LIGHT ? lightThemeItem : darkThemeItem).setSelected(true);
        select.run();
        viewModel.themeProperty().addListener((o, a, b) -> select.run());
        darkThemeItem.setOnAction(e -> viewModel.themeProperty().set(Theme.DARK));
        lightThemeItem.setOnAction(e -> viewModel.themeProperty().set(Theme.LIGHT));
    }

    private void showPage(Page page, Map<Page, ToggleButton> nav) {
        Parent view = loadedPages.computeIfAbsent(page, p -> StudioResources.load(p.resource(), context::controllerFor).root());
        pageHost.getChildren().setAll(view);
        nav.get(page).setSelected(true);
    }
}

package dev.cogforge.app.studio;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.cogforge.app.studio.captions.CaptionsController;
import dev.cogforge.app.studio.captions.CaptionsViewModel;
import dev.cogforge.app.studio.dataset.DatasetController;
import dev.cogforge.app.studio.dataset.DatasetViewModel;
import dev.cogforge.app.studio.player.ClipPlayer;
import dev.cogforge.app.studio.project.NativeProjectChooser;
import dev.cogforge.app.studio.project.ProjectChooser;
import dev.cogforge.app.studio.project.ProjectViewModel;
import dev.cogforge.app.studio.system.SystemController;
import dev.cogforge.app.studio.system.SystemViewModel;
import dev.cogforge.app.studio.train.TrainingPages;

/**
 * Wires ViewModels to core services and hands controllers their ViewModels (the controller factory of every view).
 * One per window; owns the background executor on which long work runs.
 */
public final class StudioContext implements AutoCloseable {
    private final MainViewModel main = new MainViewModel();
    private final ExecutorService background = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().daemon().name("studio-worker-", 0).factory());
    private final SystemViewModel system = new SystemViewModel(background);
    private final ClipPlayer player = new ClipPlayer();
    private final DatasetViewModel dataset = new DatasetViewModel(background);
    private final CaptionsViewModel captions = new CaptionsViewModel(dataset, background);
    private final TrainingPages training;
    private final ProjectViewModel project;
    private ProjectChooser projectChooser = new NativeProjectChooser();

    public StudioContext() {
        this(TrainingPages::forStudio);
    }

    /** Tests pass their own training pages (fake trainer, temp folders). */
    public StudioContext(java.util.function.BiFunction<MainViewModel, ExecutorService, TrainingPages> trainingPages) {
        training = trainingPages.apply(main, background);
        dataset.setThumbnailCache(dev.cogforge.core.data.ThumbnailCache.in(training.dirs()));
        project = new ProjectViewModel(main, dataset, training.settings(), training.train(),
                new dev.cogforge.core.project.RecentProjects(training.dirs().config()), sampleDatasetDir());
        // the selected clip plays (looping) on whichever page shows the player
        dataset.selectedProperty().addListener((o, was, clip) -> player.open(dataset.mediaFile(clip), true));
        dataset.summaryProperty().addListener((o, was, now) -> main.statusProperty().set(now));
    }

    public TrainingPages training() {
        return training;
    }

    public ProjectViewModel project() {
        return project;
    }

    public ProjectChooser projectChooser() {
        return projectChooser;
    }

    /** UI tests answer the file dialogs themselves. */
    public void setProjectChooser(ProjectChooser chooser) {
        projectChooser = chooser;
    }

    /** Where the bundled sample dataset is installed on first use. */
    public java.nio.file.Path sampleDatasetDir() {
        return training.dirs().cache().resolve("sample-datasets").resolve("shapes");
    }

    public MainViewModel main() {
        return main;
    }

    public SystemViewModel system() {
        return system;
    }

    public DatasetViewModel dataset() {
        return dataset;
    }

    public CaptionsViewModel captions() {
        return captions;
    }

    public ClipPlayer player() {
        return player;
    }

    public ExecutorService background() {
        return background;
    }

    public Object controllerFor(Class<?> type) {
        if (type == MainController.class) return new MainController(main, this);
        if (type == SystemController.class) return new SystemController(system);
        if (type == DatasetController.class) return new DatasetController(dataset, player, main);
        if (type == CaptionsController.class) return new CaptionsController(captions, player);
        Object trainingController = training.controllerFor(type);
        if (trainingController != null) return trainingController;
        throw new IllegalArgumentException("no controller wiring for " + type.getName());
    }

    @Override
    public void close() {
        player.close();
        dataset.close();
        background.shutdownNow();
    }
}

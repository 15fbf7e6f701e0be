package dev.cogforge.app.studio.train;

import java.util.concurrent.Executor;

import dev.cogforge.app.studio.MainViewModel;
import dev.cogforge.app.studio.export.ExportController;
import dev.cogforge.app.studio.export.ExportViewModel;
import dev.cogforge.app.studio.samples.CorePipelineSamplingService;
import dev.cogforge.app.studio.samples.FramePreviewWindow;
import dev.cogforge.app.studio.samples.SamplesController;
import dev.cogforge.app.studio.samples.SamplesViewModel;
import dev.cogforge.app.studio.samples.VideoOpener;
import dev.cogforge.app.studio.settings.Presets;
import dev.cogforge.app.studio.settings.SettingsController;
import dev.cogforge.app.studio.settings.SettingsViewModel;
import dev.cogforge.core.io.AppDirs;

/**
 * The Settings, Train, Samples and Export pages' ViewModels and their wiring: the Train page trains the Settings
 * page's config; the run it shows is the run the Samples and Export pages work on.
 */
public final class TrainingPages {
    private final SettingsViewModel settings;
    private final TrainViewModel train;
    private final SamplesViewModel samples;
    private final ExportViewModel export;
    private final AppDirs dirs;

    public TrainingPages(MainViewModel main, Executor background, Executor fx, AppDirs dirs, TrainingService trainer,
            VideoOpener opener) {
        this(main, background, fx, dirs, new Presets.Locations(dirs.cache(),
                dirs.cache().resolve("sample-datasets").resolve("shapes"), dirs.runs()), trainer, opener);
    }

    /** With explicit demo locations (tests pass a few-step demo VAE pre-training). */
    public TrainingPages(MainViewModel main, Executor background, Executor fx, AppDirs dirs, Presets.Locations where,
            TrainingService trainer, VideoOpener opener) {
        this.dirs = dirs;
        settings = new SettingsViewModel(background, fx, where);
        train = new TrainViewModel(trainer, settings, background, fx);
        train.runsDirProperty().set(where.runsDir());
        samples = new SamplesViewModel(background, fx, new CorePipelineSamplingService(), opener);
        export = ExportViewModel.forStudio(background, fx);
        samples.runDirProperty().bind(train.runDirProperty());
        export.runDirProperty().bind(train.runDirProperty());
        train.lastValidationVideoProperty().addListener((o, a, b) -> samples.refresh());
        // the run's outputs (LoRA file or transformer) exist only once it ends: preview the export card again then
        train.runningProperty().addListener((o, was, now) -> {
            if (was && !now) export.refreshPreview();
        });
        main.trainingProperty().bind(train.runningProperty());
    }

    public static TrainingPages forStudio(MainViewModel main, Executor background) {
        return new TrainingPages(main, background, javafx.application.Platform::runLater, AppDirs.current(),
                new CoreTrainingService(), new FramePreviewWindow(background));
    }

    public SettingsViewModel settings() { return settings; }
    public TrainViewModel train() { return train; }
    public SamplesViewModel samples() { return samples; }
    public ExportViewModel export() { return export; }
    public AppDirs dirs() { return dirs; }

    /** The controller for one of these pages, or null when {@code type} is not one of them. */
    public Object controllerFor(Class<?> type) {
        if (type == SettingsController.class) return new SettingsController(settings);
        if (type == TrainController.class) return new TrainController(train);
        if (type == SamplesController.class) return new SamplesController(samples);
        if (type == ExportController.class) return new ExportController(export);
        return null;
    }
}

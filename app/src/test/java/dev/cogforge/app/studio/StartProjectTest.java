package dev.cogforge.app.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import dev.cogforge.app.studio.project.ProjectViewModel;
import dev.cogforge.app.studio.train.FakeTrainer;
import dev.cogforge.app.studio.train.TrainingPages;
import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.project.RecentProjects;
import dev.cogforge.core.project.StudioProject;
import dev.cogforge.core.train.config.RunConfig;

import javafx.application.Platform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the studio opens on start: the project named on the command line, else the last one, else nothing. */
class StartProjectTest {
    @TempDir
    Path tmp;

    private StudioContext context() throws Exception {
        FxThread.start();
        AppDirs dirs = new AppDirs(tmp.resolve("config"), tmp.resolve("cache"), tmp.resolve("runs"), tmp.resolve("logs"));
        return FxThread.call(() -> new StudioContext((main, background) -> new TrainingPages(main, background, Platform::runLater,
                dirs, new FakeTrainer(tmp.resolve("unused")), (title, videos) -> { })));
    }

    private Path project(String name, int rank) throws Exception {
        RunConfig c = RunConfig.defaults();
        c.rank = rank;
        Path file = tmp.resolve(name + StudioProject.EXTENSION);
        StudioProject.create(name, file, null, new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.toJson())).save(file);
        return file;
    }

    @Test
    void theLastProjectReopensAndTheCommandLineOneWins() throws Exception {
        StudioContext first = context();
        try {
            assertFalse(FxThread.call(() -> StudioApplication.openStartProject(first)), "no project yet: demo defaults");
        } finally {
            first.close();
        }
        Path last = project("last", 12);
        Path named = project("named", 13);
        new RecentProjects(tmp.resolve("config")).add(last);

        StudioContext second = context();
        try {
            assertTrue(FxThread.call(() -> StudioApplication.openStartProject(second)));
            assertEquals(12, FxThread.call(() -> second.training().settings().config().rank));
            assertEquals(ProjectViewModel.titleFor("last"), FxThread.call(() -> second.main().titleProperty().get()));
        } finally {
            second.close();
        }

        System.setProperty(StudioApplication.PROJECT_PROPERTY, named.toString());
        StudioContext third = context();
        try {
            assertTrue(FxThread.call(() -> StudioApplication.openStartProject(third)));
            assertEquals(13, FxThread.call(() -> third.training().settings().config().rank));
        } finally {
            System.clearProperty(StudioApplication.PROJECT_PROPERTY);
            third.close();
        }
    }
}

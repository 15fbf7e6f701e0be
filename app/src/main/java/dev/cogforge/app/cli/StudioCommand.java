package dev.cogforge.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.cogforge.app.studio.StudioApplication;

import javafx.application.Application;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "studio", mixinStandardHelpOptions = true,
        description = "Opens the studio window (the default when cogforge runs without arguments).")
public final class StudioCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT_FILE",
            description = "a project (*.cogforge.json) to open instead of the last one")
    Path project;

    @Override
    public Integer call() {
        if (project != null) {
            if (!Files.isRegularFile(project)) {
                throw new ParameterException(spec.commandLine(), "no project file " + project.toAbsolutePath());
            }
            System.setProperty(StudioApplication.PROJECT_PROPERTY, project.toAbsolutePath().toString());
        }
        Application.launch(StudioApplication.class);
        return 0;
    }
}

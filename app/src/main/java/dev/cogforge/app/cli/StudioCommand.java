package dev.cogforge.app.cli;

import java.util.concurrent.Callable;

import dev.cogforge.app.studio.StudioApplication;

import javafx.application.Application;

import picocli.CommandLine.Command;

@Command(name = "studio", mixinStandardHelpOptions = true,
        description = "Opens the studio window (the default when cogforge runs without arguments).")
public final class StudioCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Application.launch(StudioApplication.class);
        return 0;
    }
}

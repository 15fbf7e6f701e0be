package dev.cogforge.app;

import dev.cogforge.app.cli.CogforgeCommand;

import picocli.CommandLine;

/**
 * Entry point of both faces of the product: no arguments launches the studio, arguments run the CLI.
 * Not a JavaFX {@code Application} subclass so that JavaFX can run from the class path.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            args = new String[] {"studio"};
        }
        int code = CogforgeCommand.commandLine().execute(args);
        System.exit(code);
    }
}

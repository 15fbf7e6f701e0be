package dev.cogforge.app;

import dev.cogforge.app.cli.CogforgeCommand;
import dev.cogforge.core.io.AppDirs;

import picocli.CommandLine;

/**
 * Entry point of both faces of the product: no arguments launches the studio, arguments run the CLI.
 * Not a JavaFX {@code Application} subclass so that JavaFX can run from the class path.
 */
public final class Main {
    private Main() {}

    /** System property that logback.xml reads for the rolling log file's folder. */
    public static final String LOG_DIR_PROPERTY = "cogforge.log.dir";

    public static void main(String[] args) {
        // must run before the first logger is created: logback reads the property once, at initialisation
        if (System.getProperty(LOG_DIR_PROPERTY) == null) {
            System.setProperty(LOG_DIR_PROPERTY, AppDirs.current().logs().toString());
        }
        org.slf4j.LoggerFactory.getLogger(Main.class).info("CogForge starting: java {}, pid {}, logs in {}",
                System.getProperty("java.version"), ProcessHandle.current().pid(), System.getProperty(LOG_DIR_PROPERTY));
        if (args.length == 0) {
            args = new String[] {"studio"};
        }
        int code = CogforgeCommand.commandLine().execute(args);
        System.exit(code);
    }
}

package dev.cogforge.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root {@code cogforge} command; every studio action has a subcommand twin here. */
@Command(name = "cogforge", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "CogForge Studio: fine-tune CogVideoX with LoRA. Without arguments the studio opens.",
        subcommands = {
                CommandLine.HelpCommand.class,
                StudioCommand.class,
                DoctorCommand.class,
                FixturesCommand.class,
                T5Command.class,
                ExportCommand.class,
                PushCommand.class,
                BenchCommand.class,
                DatasetCommand.class,
                TrainCommand.class,
                SampleCommand.class,
                DemoModelCommand.class,
        })
public final class CogforgeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CogforgeCommand());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + ex.getMessage());
            return 2;
        });
        return cl;
    }
}

package dev.cogforge.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.cogforge.core.demo.DemoModel;
import dev.cogforge.core.io.AppDirs;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Creates (once) and prints the tiny demo model that {@code train --demo} and the studio use on a CPU. */
@Command(name = "demo-model", mixinStandardHelpOptions = true,
        description = {"Creates the tiny CogVideoX demo model (diffusers layout) unless it exists, and prints its folder.",
                "The first run pre-trains its VAE on the bundled shape clips (about 2-3 minutes on 2 cores)."})
public final class DemoModelCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR",
            description = "cache folder to create it in (default: the app's cache folder)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path cache = out != null ? out : AppDirs.current().cache();
        Path dir = DemoModel.ensure(cache, DemoModel.VAE_PRETRAINING, line -> System.out.println(line));
        System.out.println(dir.toAbsolutePath());
        return 0;
    }
}

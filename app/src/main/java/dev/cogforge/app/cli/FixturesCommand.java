package dev.cogforge.app.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.cogforge.core.fixtures.CaseResult;
import dev.cogforge.core.fixtures.FixtureRunner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "fixtures", mixinStandardHelpOptions = true,
        description = "Reference-case tools (parity with diffusers).",
        subcommands = FixturesCommand.Check.class)
public final class FixturesCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Runs every case under DIR whose kind is implemented and compares with the reference.",
                    "Prints one line per case (case, max_abs_err, max_rel_err, PASS|FAIL|SKIP reason) and 'N passed, N failed'.",
                    "Exit code 1 when any case failed."})
    static final class Check implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
                description = "fixture root (default: -Dcogforge.fixtures or ../shared/fixtures/cogvideox)")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Path root = dir != null ? dir : FixtureRunner.configuredRoot();
            FixtureRunner runner = new FixtureRunner();
            System.out.printf("%-28s %11s %11s  %s%n", "case", "max_abs_err", "max_rel_err", "result");
            List<CaseResult> results = runner.runAll(root, r -> System.out.println(r.line()));
            System.out.println(FixtureRunner.summary(results));
            return results.stream().anyMatch(r -> r.status() == CaseResult.Status.FAIL) ? 1 : 0;
        }
    }
}

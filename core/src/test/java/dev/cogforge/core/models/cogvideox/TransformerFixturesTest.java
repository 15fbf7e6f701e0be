package dev.cogforge.core.models.cogvideox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.fixtures.CaseKind;
import dev.cogforge.core.fixtures.CaseResult;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.FixtureRunner;

/** Runs every {@code transformer-*} (and {@code lora-train-step}) case of the configured fixture root. */
public class TransformerFixturesTest {
    public static int runAccepted(CaseKind kind) throws Exception {
        Path root = FixtureRunner.configuredRoot();
        FixtureRunner runner = new FixtureRunner(List.of(kind));
        int ran = 0;
        for (Path dir : FixtureRunner.caseDirs(root)) {
            boolean accepted;
            try (FixtureCase c = FixtureCase.open(dir)) {
                accepted = kind.accepts(c);
            }
            if (!accepted) continue;
            CaseResult r = runner.run(dir);
            System.out.println(r.line());
            r.comparisons().forEach(x -> System.out.printf("    %-60s %.3e %s%n", x.name(), x.maxAbsErr(), x.pass() ? "ok" : "FAIL " + x.detail()));
            assertEquals(CaseResult.Status.PASS, r.status(), r.line());
            ran++;
        }
        return ran;
    }

    @Test
    void everyTransformerCasePasses() throws Exception {
        assertTrue(runAccepted(new TransformerCaseKind()) > 0, "no transformer-* case under " + FixtureRunner.configuredRoot());
    }
}

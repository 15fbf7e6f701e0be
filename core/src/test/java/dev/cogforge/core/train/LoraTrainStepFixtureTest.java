package dev.cogforge.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.fixtures.CaseResult;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.FixtureRunner;

class LoraTrainStepFixtureTest {
    @Test
    void trainerStepMatchesEveryTrainStepCase() throws Exception {
        Path root = FixtureRunner.configuredRoot();
        assertTrue(Files.isDirectory(root), "fixture folder missing: " + root.toAbsolutePath());
        LoraTrainStepCaseKind kind = new LoraTrainStepCaseKind();
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
            r.comparisons().forEach(cmp -> System.out.printf("  %-70s max_abs_err %.3e %s%n", cmp.name(), cmp.maxAbsErr(),
                    cmp.pass() ? "" : "FAIL " + cmp.detail()));
            assertEquals(CaseResult.Status.PASS, r.status(), r.toString());
            ran++;
        }
        assertTrue(ran > 0, "no lora-train-step case under " + root);
    }
}

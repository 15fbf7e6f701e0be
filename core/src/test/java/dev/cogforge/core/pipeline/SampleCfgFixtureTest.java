package dev.cogforge.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.fixtures.CaseResult;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.FixtureRunner;

class SampleCfgFixtureTest {
    @Test
    void everySampleCfgCaseMatchesTheReference() throws Exception {
        SampleCfgCaseKind kind = new SampleCfgCaseKind();
        FixtureRunner runner = new FixtureRunner(List.of(kind));
        int cases = 0;
        for (Path dir : FixtureRunner.caseDirs(FixtureRunner.configuredRoot())) {
            try (FixtureCase c = FixtureCase.open(dir)) {
                if (!kind.accepts(c)) continue;
            }
            cases++;
            CaseResult r = runner.run(dir);
            System.out.println(r.line());
            r.comparisons().forEach(cmp -> System.out.printf("  %-44s max_abs %.3e %s%n", cmp.name(), cmp.maxAbsErr(), cmp.pass() ? "" : cmp.detail()));
            assertEquals(CaseResult.Status.PASS, r.status(), r.line() + " " + r.reason());
        }
        assertTrue(cases > 0, "no sample-cfg* case under " + FixtureRunner.configuredRoot());
    }
}

package dev.cogforge.core.models.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.fixtures.CaseResult;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.FixtureRunner;

import org.junit.jupiter.api.Test;

class VaeFixtureTest {
    @Test
    void everyVaeCaseMatchesTheReference() throws Exception {
        VaeCaseKind kind = new VaeCaseKind();
        FixtureRunner runner = new FixtureRunner(List.of(kind));
        List<CaseResult> results = new ArrayList<>();
        for (Path dir : FixtureRunner.caseDirs(FixtureRunner.configuredRoot())) {
            boolean accepted;
            try (FixtureCase c = FixtureCase.open(dir)) {
                accepted = kind.accepts(c);
            }
            if (!accepted) continue;
            CaseResult r = runner.run(dir);
            System.out.println(r.line());
            r.comparisons().forEach(cmp -> System.out.printf("    %-22s max_abs_err %.3e%s%n", cmp.name(), cmp.maxAbsErr(),
                    cmp.pass() ? "" : "  FAIL " + cmp.detail()));
            results.add(r);
        }
        assertFalse(results.isEmpty(), "no vae case under " + FixtureRunner.configuredRoot());
        for (CaseResult r : results) assertEquals(CaseResult.Status.PASS, r.status(), r.line());
    }
}

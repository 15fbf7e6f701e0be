package dev.cogforge.core.schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.fixtures.CaseResult;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.FixtureRunner;

/** Runs every {@code schedulers*} case under the configured fixture root (public or held-out set alike). */
class SchedulerFixtureTest {
    @Test
    void everySchedulerCasePasses() throws Exception {
        SchedulerCaseKind kind = new SchedulerCaseKind();
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
            r.comparisons().forEach(cmp -> System.out.printf("    %-32s max_abs %.3e%s%n", cmp.name(), cmp.maxAbsErr(),
                    cmp.pass() ? "" : "  FAIL " + cmp.detail()));
            results.add(r);
        }
        assertTrue(!results.isEmpty(), "no schedulers* case under " + FixtureRunner.configuredRoot());
        for (CaseResult r : results) assertEquals(CaseResult.Status.PASS, r.status(), r.line());
    }

    @Test
    void caseKindIsRegisteredAsAService() {
        assertTrue(FixtureRunner.loadKinds().stream().anyMatch(k -> k instanceof SchedulerCaseKind));
    }
}

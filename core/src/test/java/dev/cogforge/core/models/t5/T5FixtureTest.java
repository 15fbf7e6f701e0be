package dev.cogforge.core.models.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.fixtures.CaseResult;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.FixtureRunner;

import org.junit.jupiter.api.Test;

class T5FixtureTest {
    @Test
    void everyT5CaseMatchesTheReference() throws Exception {
        T5CaseKind kind = new T5CaseKind();
        FixtureRunner runner = new FixtureRunner(List.of(kind));
        int ran = 0;
        for (Path dir : FixtureRunner.caseDirs(FixtureRunner.configuredRoot())) {
            boolean accepted;
            try (FixtureCase c = FixtureCase.open(dir)) {
                accepted = kind.accepts(c);
            }
            if (!accepted) continue;
            CaseResult r = runner.run(dir);
            System.out.println(r.line());
            r.comparisons().forEach(cmp -> System.out.println("    " + cmp));
            assertEquals(CaseResult.Status.PASS, r.status(), r.line());
            ran++;
        }
        assertTrue(ran > 0, "no t5 case found under " + FixtureRunner.configuredRoot());
    }

    @Test
    void theKindIsRegisteredAsAService() {
        assertTrue(FixtureRunner.loadKinds().stream().anyMatch(k -> k instanceof T5CaseKind));
    }
}

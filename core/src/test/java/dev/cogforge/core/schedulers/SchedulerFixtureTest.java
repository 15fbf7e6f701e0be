package dev.cogforge.core.schedulers;

import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.Test;

import dev.cogforge.core.fixtures.FixtureAssertions;
import dev.cogforge.core.fixtures.FixtureRunner;

/** Runs every {@code schedulers*} case under the configured fixture root (public or held-out set alike). */
class SchedulerFixtureTest {
    @Test
    void everySchedulerCasePasses() throws Exception {
        FixtureAssertions.assertEveryCasePasses(new SchedulerCaseKind());
    }

    @Test
    void caseKindIsRegisteredAsAService() {
        assertTrue(FixtureRunner.loadKinds().stream().anyMatch(k -> k instanceof SchedulerCaseKind));
    }
}

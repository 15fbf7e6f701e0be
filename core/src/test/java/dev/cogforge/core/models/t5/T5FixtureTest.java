package dev.cogforge.core.models.t5;

import static org.junit.jupiter.api.Assertions.assertTrue;


import dev.cogforge.core.fixtures.FixtureAssertions;
import dev.cogforge.core.fixtures.FixtureRunner;

import org.junit.jupiter.api.Test;

class T5FixtureTest {
    @Test
    void everyT5CaseMatchesTheReference() throws Exception {
        FixtureAssertions.assertEveryCasePasses(new T5CaseKind());
    }

    @Test
    void theKindIsRegisteredAsAService() {
        assertTrue(FixtureRunner.loadKinds().stream().anyMatch(k -> k instanceof T5CaseKind));
    }
}

package dev.cogforge.core.models.vae;



import dev.cogforge.core.fixtures.FixtureAssertions;

import org.junit.jupiter.api.Test;

class VaeFixtureTest {
    @Test
    void everyVaeCaseMatchesTheReference() throws Exception {
        FixtureAssertions.assertEveryCasePasses(new VaeCaseKind());
    }
}

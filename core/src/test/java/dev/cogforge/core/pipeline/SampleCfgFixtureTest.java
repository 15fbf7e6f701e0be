package dev.cogforge.core.pipeline;



import org.junit.jupiter.api.Test;

import dev.cogforge.core.fixtures.FixtureAssertions;

class SampleCfgFixtureTest {
    @Test
    void everySampleCfgCaseMatchesTheReference() throws Exception {
        FixtureAssertions.assertEveryCasePasses(new SampleCfgCaseKind());
    }
}

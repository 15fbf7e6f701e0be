package dev.cogforge.core.models.cogvideox;

import dev.cogforge.core.fixtures.FixtureAssertions;

import org.junit.jupiter.api.Test;

/** Runs every {@code transformer-*} case of the configured fixture root. */
class TransformerFixturesTest {
    @Test
    void everyTransformerCasePasses() throws Exception {
        FixtureAssertions.assertEveryCasePasses(new TransformerCaseKind());
    }
}

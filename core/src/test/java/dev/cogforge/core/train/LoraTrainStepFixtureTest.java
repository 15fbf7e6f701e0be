package dev.cogforge.core.train;



import org.junit.jupiter.api.Test;

import dev.cogforge.core.fixtures.FixtureAssertions;

class LoraTrainStepFixtureTest {
    @Test
    void trainerStepMatchesEveryTrainStepCase() throws Exception {
        FixtureAssertions.assertEveryCasePasses(new LoraTrainStepCaseKind());
    }
}

package dev.cogforge.core.lora;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.models.cogvideox.TransformerFixturesTest;

class LoraGradFixtureTest {
    @Test
    void loraTrainStepLossAndGradientsMatch() throws Exception {
        assertTrue(TransformerFixturesTest.runAccepted(new LoraGradCaseKind()) > 0,
                "no lora-train-step case under " + FixtureRunner.configuredRoot());
    }
}

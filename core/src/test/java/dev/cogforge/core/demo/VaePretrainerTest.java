package dev.cogforge.core.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;

class VaePretrainerTest {
    @Test
    void aFewStepsImproveTheReconstruction() {
        try (AutoencoderKLCogVideoX vae = new AutoencoderKLCogVideoX(DemoModel.vaeConfig(1.0))) {
            DemoModel.initialize(vae, 11, name -> name.contains(".conv2."));
            List<VaePretrainer.Progress> seen = new ArrayList<>();
            VaePretrainer.Result r;
            try (VaePretrainer trainer = new VaePretrainer(vae, DemoModel.VAE_PRETRAINING.quick(8, 2))) {
                r = trainer.run(seen::add);
            }
            System.out.printf("VAE %s -> %s after %d steps (%.1f s); losses %s%n", r.before(), r.after(),
                    r.steps(), r.seconds(), seen.stream().map(p -> String.format("%.3f", p.loss())).toList());
            assertEquals(8, seen.size());
            assertTrue(r.psnrAfter() > r.psnrBefore() + 1.0, "reconstruction did not improve: " + r);
            assertTrue(seen.getLast().reconstructionMse() < seen.getFirst().reconstructionMse());
            // a fresh VAE is about 120 levels off the clips' per-frame mean colours; that is what the first steps fix
            assertTrue(r.after().meanRgbError() < r.before().meanRgbError(), "mean colour did not improve: " + r);
            assertTrue(r.before().chromaError() > 0 && Double.isFinite(r.after().chromaError()), r.toString());
            assertTrue(r.latentStd() > 0 && Double.isFinite(r.latentStd()));
            // the VAE is left without autograd state, ready for inference
            assertTrue(!vae.stateDict().values().iterator().next().get().requires_grad());
        }
    }

    @Test
    void settingsRejectFrameCountsTheDecoderCannotReturnAndNegativeColourWeights() {
        VaePretrainer.Settings s = DemoModel.VAE_PRETRAINING;
        // 5 frames encode to 2 latent frames, which the decoder turns into 8
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VaePretrainer.Settings(s.steps(),
                s.batchSize(), 5, s.learningRate(), s.klWeight(), s.colourWeight(), s.seed(), s.evaluationClips()));
        assertTrue(e.getMessage().contains("8k+1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VaePretrainer.Settings(s.steps(), s.batchSize(), s.frames(),
                s.learningRate(), s.klWeight(), -1.0, s.seed(), s.evaluationClips()));
    }
}

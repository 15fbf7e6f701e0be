package dev.cogforge.core.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            System.out.printf("VAE PSNR %.2f -> %.2f dB after %d steps (%.1f s); losses %s%n", r.psnrBefore(), r.psnrAfter(),
                    r.steps(), r.seconds(), seen.stream().map(p -> String.format("%.3f", p.loss())).toList());
            assertEquals(8, seen.size());
            assertTrue(r.psnrAfter() > r.psnrBefore() + 1.0, "reconstruction did not improve: " + r);
            assertTrue(seen.getLast().reconstructionMse() < seen.getFirst().reconstructionMse());
            assertTrue(r.latentStd() > 0 && Double.isFinite(r.latentStd()));
            // the VAE is left without autograd state, ready for inference
            assertTrue(!vae.stateDict().values().iterator().next().get().requires_grad());
        }
    }
}

package dev.cogforge.core.schedulers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.fixtures.Tolerance;
import dev.cogforge.core.io.SafetensorsFile;

/**
 * The scheduler half of every {@code lora-train-step*} case: noising, the x̂0 conversion of the reference
 * transformer output, the loss weights and the per-sample / mean loss. The transformer and optimizer halves belong
 * to the training case kind.
 */
class TrainingNoiseFixtureTest {
    @Test
    void schedulerPartOfTheTrainingStepMatches() throws Exception {
        int cases = 0;
        for (Path dir : FixtureRunner.caseDirs(FixtureRunner.configuredRoot())) {
            try (FixtureCase c = FixtureCase.open(dir); PointerScope scope = new PointerScope()) {
                if (!c.name().startsWith("lora-train-step")) continue;
                cases++;
                JsonNode sched = c.fixture().path("scheduler").path("config");
                TrainingNoise tn = new TrainingNoise(SchedulerConfig.parse(sched.toString(), dir + "/fixture.json scheduler.config"));
                JsonNode tol = c.fixture().path("tolerance");
                Tolerance tensorTol = Tolerance.from(tol.get("model_output"), new Tolerance(2e-5, 1e-4));
                Tolerance lossTol = Tolerance.from(tol.get("loss"), new Tolerance(1e-5, 1e-4));
                SafetensorsFile in = c.inputs();
                SafetensorsFile out = c.outputs();
                Tensor x0 = in.load("model_input");
                Tensor t = in.load("timesteps");

                Tensor noisy = tn.addNoise(x0, in.load("noise"), t);
                check(c.name(), "noisy_model_input", noisy, out, tensorTol);
                Tensor pred = tn.predictedOriginal(out.load("model_output"), out.load("noisy_model_input"), t);
                check(c.name(), "model_pred", pred, out, tensorTol);
                check(c.name(), "loss_weights", tn.lossWeights(t, 1), out, lossTol);

                Tensor refPred = out.load("model_pred");
                Tensor w = tn.lossWeights(t, (int) refPred.dim());
                Tensor diff = refPred.sub(x0);
                Tensor perSample = w.mul(diff.mul(diff)).reshape(refPred.size(0), -1).mean(new long[] {1}, false, new ScalarTypeOptional());
                check(c.name(), "loss_per_sample", perSample, out, lossTol);
                check(c.name(), "loss", tn.weightedMseLoss(refPred, x0, t).reshape(1), out, lossTol);
            }
        }
        assertTrue(cases > 0, "no lora-train-step* case under " + FixtureRunner.configuredRoot());
    }

    private static void check(String caseName, String name, Tensor got, SafetensorsFile out, Tolerance tol) throws Exception {
        Comparison cmp = Comparison.of(name, Tensors.toFloats(got), Tensors.shape(got), out.readFloats(name), out.info(name).shape(), tol);
        System.out.printf("%-20s %-18s max_abs %.3e%n", caseName, name, cmp.maxAbsErr());
        assertTrue(cmp.pass(), caseName + " " + name + ": " + cmp.detail() + " (max_abs " + cmp.maxAbsErr() + ")");
    }
}

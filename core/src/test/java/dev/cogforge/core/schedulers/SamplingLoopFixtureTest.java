package dev.cogforge.core.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.fixtures.Tolerance;
import dev.cogforge.core.io.SafetensorsFile;

/**
 * The loop half of every {@code sample-cfg*} case: the transformer is replaced by the reference's recorded guided
 * predictions (fed as identical uncond/cond halves, so guidance returns them unchanged), which checks the CFG batch
 * layout, the scheduler chaining, the DPM draw order from the case's generator seed, and the per-step latents.
 * The full case (with the transformer) belongs to the pipeline's case kind.
 */
class SamplingLoopFixtureTest {
    @Test
    void recordedPredictionsReproduceTheReferenceLatentTraces() throws Exception {
        int cases = 0;
        for (Path dir : FixtureRunner.caseDirs(FixtureRunner.configuredRoot())) {
            try (FixtureCase c = FixtureCase.open(dir); PointerScope scope = new PointerScope()) {
                if (!c.name().startsWith("sample-cfg")) continue;
                cases++;
                JsonNode params = c.fixture().path("params");
                SchedulerConfig config = SchedulerConfig.parse(params.path("scheduler_config").toString(), dir + "/fixture.json params.scheduler_config");
                int steps = params.path("num_inference_steps").asInt();
                double scale = params.path("guidance_scale").asDouble();
                boolean dynamic = params.path("use_dynamic_cfg").asBoolean();
                Tolerance tol = c.tolerance();
                SafetensorsFile in = c.inputs();
                SafetensorsFile out = c.outputs();
                assertArrayEquals(out.readLongs("timesteps"), new CogVideoXDdimScheduler(config).setTimesteps(steps), c.name() + " timesteps");

                check(c.name() + " ddim", new CogVideoXDdimScheduler(config), steps, scale, dynamic, in.load("latents"),
                        out.load("trace_noise_pred"), null, out, "trace_latents", "final_latents", tol);
                if (out.contains("final_latents_dpm")) {
                    long seed = c.fixture().path("dpm_generator_seed").asLong();
                    try (GeneratorNoise g = NoiseSource.seeded(seed)) {
                        check(c.name() + " dpm", new CogVideoXDpmScheduler(config), steps, scale, dynamic, in.load("latents"),
                                out.load("trace_noise_pred_dpm"), g, out, "trace_latents_dpm", "final_latents_dpm", tol);
                    }
                }
            }
        }
        assertTrue(cases > 0, "no sample-cfg* case under " + FixtureRunner.configuredRoot());
    }

    private static void check(String label, CogVideoXScheduler scheduler, int steps, double scale, boolean dynamic, Tensor latents,
                              Tensor guidedPredictions, NoiseSource noise, SafetensorsFile out, String traceName, String finalName,
                              Tolerance tol) throws Exception {
        List<float[]> trace = new ArrayList<>();
        int[] calls = {0};
        SamplingLoop.Denoiser recorded = (input, t) -> {
            Tensor p = guidedPredictions.select(0, calls[0]++);
            assertEquals(2 * p.size(0), input.size(0), label + ": CFG doubles the batch");
            return torch.cat(new TensorVector(p, p), 0);
        };
        Tensor result = new SamplingLoop(scheduler, scale, dynamic).run(latents, steps, recorded, noise,
                (i, t, next, pred) -> trace.add(Tensors.toFloats(next)));
        assertEquals(steps, calls[0]);
        float[] ref = out.readFloats(traceName);
        int each = trace.get(0).length;
        for (int i = 0; i < steps; i++) {
            float[] refStep = java.util.Arrays.copyOfRange(ref, i * each, (i + 1) * each);
            Comparison cmp = Comparison.of(traceName + "[" + i + "]", trace.get(i), new long[] {each}, refStep, new long[] {each}, tol);
            System.out.printf("%-28s %-24s max_abs %.3e%n", label, cmp.name(), cmp.maxAbsErr());
            assertTrue(cmp.pass(), label + " " + cmp.name() + ": " + cmp.detail());
        }
        Comparison fin = Comparison.of(finalName, Tensors.toFloats(result), Tensors.shape(result), out.readFloats(finalName),
                out.info(finalName).shape(), tol);
        System.out.printf("%-28s %-24s max_abs %.3e%n", label, finalName, fin.maxAbsErr());
        assertTrue(fin.pass(), label + " " + finalName + ": " + fin.detail());
    }
}

package dev.cogforge.core.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.CaseKind;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.Tolerance;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.schedulers.CogVideoXScheduler;
import dev.cogforge.core.schedulers.GeneratorNoise;
import dev.cogforge.core.schedulers.NoiseSource;
import dev.cogforge.core.schedulers.RecordedNoise;
import dev.cogforge.core.schedulers.SchedulerConfig;

/**
 * Parity cases {@code sample-cfg*}: the pipeline's guided denoising loop ({@link Denoising}) with the case's
 * transformer, from the stored latents and prompt embeddings. DDIM gives {@code final_latents} and the per-step
 * traces; DPM replays the stored generator draws ({@code inputs:dpm_noise [steps, 2, ...]}, zeros = not drawn) and,
 * when the case states its generator seed, runs once more drawing from a libtorch generator with that seed.
 */
public final class SampleCfgCaseKind implements CaseKind {
    @Override
    public String name() {
        return "sample-cfg";
    }

    @Override
    public boolean accepts(FixtureCase c) {
        return c.name().startsWith("sample-cfg");
    }

    @Override
    @SuppressWarnings("try") // the scope frees every tensor of the case
    public List<Comparison> run(FixtureCase c) throws Exception {
        Engine.ensureLoaded();
        JsonNode params = c.fixture().path("params");
        String where = c.dir().resolve("fixture.json") + " params";
        if (!params.path("num_inference_steps").canConvertToInt()) throw new IOException(where + ": num_inference_steps missing");
        int steps = params.get("num_inference_steps").asInt();
        double guidance = params.path("guidance_scale").asDouble(6.0);
        boolean dynamic = params.path("use_dynamic_cfg").asBoolean(false);
        if (!params.path("scheduler_config").isObject()) throw new IOException(where + ": scheduler_config missing");
        SchedulerConfig schedulerConfig = SchedulerConfig.parse(params.get("scheduler_config").toString(), where + ".scheduler_config");
        Tolerance tol = c.tolerance();
        SafetensorsFile in = c.inputs();
        SafetensorsFile out = c.outputs();
        Map<String, Comparison> results = new LinkedHashMap<>();

        TransformerConfig config = TransformerConfig.read(c.configFile());
        try (CogVideoXTransformer3D transformer = new CogVideoXTransformer3D(config);
             PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            transformer.loadStateDict(c.weights(), ScalarType.Float, null);
            Tensor latents = in.load("latents", ScalarType.Float);
            Denoising.Conditioning cond = new Denoising.Conditioning(in.load("prompt_embeds", ScalarType.Float),
                    in.load("negative_prompt_embeds", ScalarType.Float), null, Denoising.ofsFor(config, ScalarType.Float),
                    Denoising.rotary(config, (int) latents.size(3) * 8, (int) latents.size(4) * 8, (int) latents.size(1), 8));

            CogVideoXScheduler ddim = CogVideoXScheduler.create(CogVideoXScheduler.Kind.DDIM, schedulerConfig);
            if (out.contains("timesteps")) {
                long[] got = ddim.setTimesteps(steps);
                results.put("timesteps", Comparison.of("timesteps", Arrays.stream(got).asDoubleStream().toArray(), new long[] {got.length},
                        Arrays.stream(out.readLongs("timesteps")).asDoubleStream().toArray(), out.info("timesteps").shape(), new Tolerance(0, 0)));
            }
            runLoop(transformer, ddim, latents, steps, guidance, dynamic, cond, null, "", out, tol, results);

            if (out.contains("final_latents_dpm")) {
                if (!in.contains("dpm_noise")) throw new IOException(c.dir() + ": final_latents_dpm needs inputs:dpm_noise");
                RecordedNoise recorded = recordedDraws(in.load("dpm_noise", ScalarType.Float));
                runLoop(transformer, CogVideoXScheduler.create(CogVideoXScheduler.Kind.DPM, schedulerConfig), latents, steps, guidance,
                        dynamic, cond, recorded, "_dpm", out, tol, results);
                boolean allUsed = recorded.used() == recorded.recorded();
                results.put("dpm generator draws", new Comparison("dpm generator draws", 0, 0, allUsed,
                        allUsed ? "" : "used " + recorded.used() + " of " + recorded.recorded() + " recorded draws"));
                JsonNode seed = c.fixture().get("dpm_generator_seed");
                if (seed != null && seed.canConvertToLong()) {
                    try (GeneratorNoise generator = NoiseSource.seeded(seed.asLong())) {
                        Map<String, Comparison> again = new LinkedHashMap<>();
                        runLoop(transformer, CogVideoXScheduler.create(CogVideoXScheduler.Kind.DPM, schedulerConfig), latents, steps,
                                guidance, dynamic, cond, generator, "_dpm", out, tol, again);
                        Comparison f = again.get("final_latents_dpm");
                        String name = "final_latents_dpm[generator seed " + seed.asLong() + "]";
                        results.put(name, new Comparison(name, f.maxAbsErr(), f.maxRelErr(), f.pass(), f.detail()));
                    }
                }
            }
        }
        for (String name : out.names()) {
            if (!results.containsKey(name)) {
                results.put(name, new Comparison(name, Double.NaN, Double.NaN, false, "reference output not produced by the sample-cfg case kind"));
            }
        }
        return new ArrayList<>(results.values());
    }

    /** Flattens {@code [steps, 2, ...]} into draw order: each step's first draw, then its second when one was made. */
    private static RecordedNoise recordedDraws(Tensor perStep) {
        List<Tensor> draws = new ArrayList<>();
        for (int i = 0; i < perStep.size(0); i++) {
            Tensor step = perStep.select(0, i);
            draws.add(step.select(0, 0));
            Tensor second = step.select(0, 1);
            if (second.abs().max().item_double() != 0) draws.add(second);
        }
        return new RecordedNoise(draws);
    }

    private static void runLoop(CogVideoXTransformer3D transformer, CogVideoXScheduler scheduler, Tensor latents, int steps,
                                double guidance, boolean dynamic, Denoising.Conditioning cond, NoiseSource noise, String suffix,
                                SafetensorsFile out, Tolerance tol, Map<String, Comparison> results) throws IOException {
        List<float[]> predictions = new ArrayList<>();
        List<float[]> trace = new ArrayList<>();
        Tensor result = Denoising.sample(transformer, scheduler, latents, steps, guidance, dynamic, cond, noise,
                (i, t, next, prediction) -> {
                    predictions.add(Tensors.toFloats(prediction));
                    trace.add(Tensors.toFloats(next));
                });
        long[] stepShape = Tensors.shape(result);
        compareStacked("trace_noise_pred" + suffix, predictions, stepShape, out, tol, results);
        compareStacked("trace_latents" + suffix, trace, stepShape, out, tol, results);
        String finalName = "final_latents" + suffix;
        if (out.contains(finalName)) {
            results.put(finalName, Comparison.of(finalName, Tensors.toFloats(result), stepShape, out.readFloats(finalName),
                    out.info(finalName).shape(), tol));
        }
    }

    private static void compareStacked(String name, List<float[]> perStep, long[] stepShape, SafetensorsFile out, Tolerance tol,
                                       Map<String, Comparison> results) throws IOException {
        if (!out.contains(name)) return;
        int each = perStep.isEmpty() ? 0 : perStep.getFirst().length;
        float[] all = new float[each * perStep.size()];
        for (int i = 0; i < perStep.size(); i++) System.arraycopy(perStep.get(i), 0, all, i * each, each);
        long[] shape = new long[stepShape.length + 1];
        shape[0] = perStep.size();
        System.arraycopy(stepShape, 0, shape, 1, stepShape.length);
        results.put(name, Comparison.of(name, all, shape, out.readFloats(name), out.info(name).shape(), tol));
    }
}

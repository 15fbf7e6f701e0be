package dev.cogforge.core.schedulers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.javacpp.PointerScope;
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

/**
 * Parity cases named {@code schedulers*}: the float64 tables and {@code set_timesteps} of every config variant in
 * {@code fixture.json["configs"]}, {@code add_noise} / {@code get_velocity}, and full DDIM and DPM step chains whose
 * generator draws are replayed from the inputs. Every tensor in {@code outputs.safetensors} is compared; an output
 * this kind does not know how to produce fails the case rather than being ignored.
 */
public final class SchedulerCaseKind implements CaseKind {
    private static final Tolerance DEFAULT_TABLES = new Tolerance(1e-12, 1e-10);
    private static final Tolerance DEFAULT_STEPS = new Tolerance(1e-5, 1e-5);
    /** A float32 copy of a float64 table may round either way at a tie-close value: allow one float ulp. */
    private static final Tolerance ONE_FLOAT_ULP = new Tolerance(0, 0x1p-23);
    private static final Tolerance EXACT = new Tolerance(0, 0);
    private static final Pattern TIMESTEPS = Pattern.compile("timesteps_(\\d+)");
    private static final Pattern MANUAL_SEED = Pattern.compile("manual_seed\\((\\d+)\\)");

    @Override
    public String name() {
        return "schedulers";
    }

    @Override
    public boolean accepts(FixtureCase fixtureCase) {
        return fixtureCase.name().startsWith("schedulers");
    }

    @Override
    @SuppressWarnings("try") // the scope frees every tensor the comparisons create
    public List<Comparison> run(FixtureCase c) throws Exception {
        Engine.ensureLoaded();
        JsonNode tol = c.fixture().path("tolerance");
        Tolerance tables = Tolerance.from(tol.get("tables"), DEFAULT_TABLES);
        Tolerance steps = Tolerance.from(tol.get("steps"), Tolerance.from(tol, DEFAULT_STEPS));
        SafetensorsFile in = c.inputs();
        SafetensorsFile out = c.outputs();

        Map<String, SchedulerConfig> variants = variants(c);
        SchedulerConfig chainConfig = chainConfig(c, variants);
        Map<String, Comparison> results = new LinkedHashMap<>();

        try (PointerScope scope = new PointerScope()) {
            for (var v : variants.entrySet()) compareTables(v.getKey(), new NoiseSchedule(v.getValue()), out, tables, results);

            NoiseSchedule chainSchedule = new NoiseSchedule(chainConfig);
            if (out.contains("add_noise")) {
                Tensor got = chainSchedule.addNoise(in.load("train_x0"), in.load("train_noise"), in.load("train_timesteps"));
                results.put("add_noise", compareFloats("add_noise", got, out, steps));
            }
            if (out.contains("get_velocity")) {
                // the reference fed its own add_noise output in as `noise`; do the same so this compares one call
                Tensor got = chainSchedule.getVelocity(in.load("train_noise"), out.load("add_noise"), in.load("train_timesteps"));
                results.put("get_velocity", compareFloats("get_velocity", got, out, steps));
            }
            int chainSteps = chainSteps(c, in);
            if (out.contains("ddim.prev_sample") || out.contains("ddim.pred_original_sample")) {
                runDdimChain(chainConfig, chainSteps, in, out, steps, results);
            }
            if (out.contains("dpm.prev_sample") || out.contains("dpm.pred_original_sample")) {
                runDpmChain(chainConfig, chainSteps, in, out, steps, results);
                OptionalLong seed = dpmGeneratorSeed(c);
                if (seed.isPresent()) runDpmChainWithGenerator(chainConfig, chainSteps, seed.getAsLong(), in, out, steps, results);
            }
        }
        for (String name : out.names()) {
            if (!results.containsKey(name)) {
                results.put(name, new Comparison(name, Double.NaN, Double.NaN, false,
                        "reference output not produced by the scheduler case kind"));
            }
        }
        return new ArrayList<>(results.values());
    }

    private static Map<String, SchedulerConfig> variants(FixtureCase c) throws IOException {
        Map<String, SchedulerConfig> out = new LinkedHashMap<>();
        JsonNode configs = c.fixture().path("configs");
        for (Map.Entry<String, JsonNode> e : configs.properties()) {
            out.put(e.getKey(), SchedulerConfig.parse(e.getValue().toString(), c.dir().resolve("fixture.json") + " configs." + e.getKey()));
        }
        return out;
    }

    private static SchedulerConfig chainConfig(FixtureCase c, Map<String, SchedulerConfig> variants) throws IOException {
        if (c.has("config.json")) return SchedulerConfig.read(c.configFile());
        String name = c.fixture().path("chain_config").asText("");
        SchedulerConfig v = variants.get(name);
        if (v == null) throw new IOException(c.dir() + ": no config.json and fixture.json chain_config '" + name + "' is not in configs");
        return v;
    }

    private static int chainSteps(FixtureCase c, SafetensorsFile in) throws IOException {
        JsonNode n = c.fixture().get("chain_num_inference_steps");
        if (n != null && n.canConvertToInt()) return n.asInt();
        if (in.contains("chain_model_outputs")) return (int) in.info("chain_model_outputs").shape()[0];
        return 0;
    }

    private static void compareTables(String variant, NoiseSchedule schedule, SafetensorsFile out, Tolerance tables,
                                      Map<String, Comparison> results) throws IOException {
        String prefix = variant + ".";
        for (String name : out.names()) {
            if (!name.startsWith(prefix)) continue;
            String what = name.substring(prefix.length());
            Matcher m = TIMESTEPS.matcher(what);
            if (m.matches()) {
                long[] got = schedule.timesteps(Integer.parseInt(m.group(1)));
                long[] ref = out.readLongs(name);
                results.put(name, Comparison.of(name, toDoubles(got), new long[] {got.length}, toDoubles(ref), out.info(name).shape(), EXACT));
                continue;
            }
            double[] got = switch (what) {
                case "betas" -> schedule.betas();
                case "alphas" -> schedule.alphas();
                case "alphas_cumprod" -> schedule.alphasCumprod();
                case "alphas_cumprod_f32" -> toDoubles(schedule.alphasCumprodFloat());
                default -> null;
            };
            if (got == null) continue;
            Tolerance t = what.endsWith("_f32") ? ONE_FLOAT_ULP : tables;
            double[] ref = Tensors.toDoubles(out.load(name));
            results.put(name, Comparison.of(name, got, new long[] {got.length}, ref, out.info(name).shape(), t));
        }
    }

    private static void runDdimChain(SchedulerConfig config, int n, SafetensorsFile in, SafetensorsFile out, Tolerance tol,
                                     Map<String, Comparison> results) throws IOException {
        CogVideoXDdimScheduler ddim = new CogVideoXDdimScheduler(config);
        long[] timesteps = ddim.setTimesteps(n);
        Tensor modelOutputs = in.load("chain_model_outputs", ScalarType.Float);
        Tensor latents = in.load("chain_latents", ScalarType.Float);
        List<float[]> prev = new ArrayList<>();
        List<float[]> x0 = new ArrayList<>();
        for (int i = 0; i < timesteps.length; i++) {
            SchedulerStep s = ddim.step(modelOutputs.select(0, i), timesteps[i], latents);
            prev.add(Tensors.toFloats(s.prevSample()));
            x0.add(Tensors.toFloats(s.predOriginalSample()));
            latents = s.prevSample();
        }
        long[] stepShape = Tensors.shape(latents);
        putStacked("ddim.prev_sample", prev, stepShape, out, tol, results);
        putStacked("ddim.pred_original_sample", x0, stepShape, out, tol, results);
    }

    private static void runDpmChain(SchedulerConfig config, int n, SafetensorsFile in, SafetensorsFile out, Tolerance tol,
                                    Map<String, Comparison> results) throws IOException {
        CogVideoXDpmScheduler dpm = new CogVideoXDpmScheduler(config);
        long[] timesteps = dpm.setTimesteps(n);
        Tensor modelOutputs = in.load("chain_model_outputs", ScalarType.Float);
        Tensor latents = in.load("chain_latents", ScalarType.Float);
        Tensor firstDraws = in.load("dpm.noise_a", ScalarType.Float);
        Tensor secondDraws = in.load("dpm.noise_b", ScalarType.Float);
        List<float[]> prev = new ArrayList<>();
        List<float[]> x0 = new ArrayList<>();
        List<String> drawMismatches = new ArrayList<>();
        Tensor old = null;
        for (int i = 0; i < timesteps.length; i++) {
            Tensor second = secondDraws.select(0, i);
            boolean referenceDrewTwice = second.abs().max().item_double() != 0;
            RecordedNoise noise = RecordedNoise.of(firstDraws.select(0, i), second);
            OptionalLong back = i > 0 ? OptionalLong.of(timesteps[i - 1]) : OptionalLong.empty();
            SchedulerStep s = dpm.step(modelOutputs.select(0, i), old, timesteps[i], back, latents, noise);
            if ((noise.used() == 2) != referenceDrewTwice) {
                drawMismatches.add("step " + i + " drew " + noise.used() + "x, reference " + (referenceDrewTwice ? 2 : 1) + "x");
            }
            prev.add(Tensors.toFloats(s.prevSample()));
            x0.add(Tensors.toFloats(s.predOriginalSample()));
            latents = s.prevSample();
            old = s.predOriginalSample();
        }
        long[] stepShape = Tensors.shape(latents);
        putStacked("dpm.prev_sample", prev, stepShape, out, tol, results);
        putStacked("dpm.pred_original_sample", x0, stepShape, out, tol, results);
        results.put("dpm.generator_draws", new Comparison("dpm.generator_draws", 0, 0, drawMismatches.isEmpty(),
                String.join("; ", drawMismatches)));
    }

    /**
     * The production path: the same chain drawing from a libtorch generator seeded like the reference's
     * {@code torch.Generator().manual_seed(seed)}. This checks that the draw order and the generator stream agree, not
     * only the arithmetic.
     */
    private static void runDpmChainWithGenerator(SchedulerConfig config, int n, long seed, SafetensorsFile in, SafetensorsFile out,
                                                 Tolerance tol, Map<String, Comparison> results) throws IOException {
        CogVideoXDpmScheduler dpm = new CogVideoXDpmScheduler(config);
        dpm.setTimesteps(n);
        Tensor modelOutputs = in.load("chain_model_outputs", ScalarType.Float);
        Tensor latents = in.load("chain_latents", ScalarType.Float);
        List<float[]> prev = new ArrayList<>();
        Tensor old = null;
        try (GeneratorNoise generator = NoiseSource.seeded(seed)) {
            for (int i = 0; i < n; i++) {
                SchedulerStep s = dpm.stepAt(i, modelOutputs.select(0, i), old, latents, generator);
                prev.add(Tensors.toFloats(s.prevSample()));
                latents = s.prevSample();
                old = s.predOriginalSample();
            }
        }
        Map<String, Comparison> one = new LinkedHashMap<>();
        putStacked("dpm.prev_sample", prev, Tensors.shape(latents), out, tol, one);
        Comparison c = one.get("dpm.prev_sample");
        if (c != null) {
            String name = "dpm.prev_sample[generator seed " + seed + "]";
            results.put(name, new Comparison(name, c.maxAbsErr(), c.maxRelErr(), c.pass(), c.detail()));
        }
    }

    /** The DPM chain's generator seed, from the call's {@code "noise"} description ({@code manual_seed(N)}), if stated. */
    private static OptionalLong dpmGeneratorSeed(FixtureCase c) {
        for (JsonNode call : c.fixture().path("calls")) {
            if (!call.path("function").asText("").contains("CogVideoXDPMScheduler: set_timesteps")) continue;
            Matcher m = MANUAL_SEED.matcher(call.path("noise").asText(""));
            if (m.find()) return OptionalLong.of(Long.parseLong(m.group(1)));
        }
        return OptionalLong.empty();
    }

    private static void putStacked(String name, List<float[]> perStep, long[] stepShape, SafetensorsFile out, Tolerance tol,
                                   Map<String, Comparison> results) throws IOException {
        if (!out.contains(name)) return;
        int each = perStep.isEmpty() ? 0 : perStep.get(0).length;
        float[] all = new float[each * perStep.size()];
        for (int i = 0; i < perStep.size(); i++) System.arraycopy(perStep.get(i), 0, all, i * each, each);
        long[] shape = new long[stepShape.length + 1];
        shape[0] = perStep.size();
        System.arraycopy(stepShape, 0, shape, 1, stepShape.length);
        Comparison whole = Comparison.of(name, all, shape, out.readFloats(name), out.info(name).shape(), tol);
        results.put(name, whole);
    }

    private static Comparison compareFloats(String name, Tensor got, SafetensorsFile out, Tolerance tol) throws IOException {
        return Comparison.of(name, Tensors.toFloats(got), Tensors.shape(got), out.readFloats(name), out.info(name).shape(), tol);
    }

    private static double[] toDoubles(long[] v) {
        return Arrays.stream(v).asDoubleStream().toArray();
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}

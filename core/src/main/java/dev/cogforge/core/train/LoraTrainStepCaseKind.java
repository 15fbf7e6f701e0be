package dev.cogforge.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.fixtures.CaseKind;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.Tolerance;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.lora.LoraConfig;
import dev.cogforge.core.lora.LoraInjector;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.FixtureArgs;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.nn.Parameter;
import dev.cogforge.core.schedulers.SchedulerConfig;
import dev.cogforge.core.schedulers.TrainingNoise;
import dev.cogforge.core.train.optim.AdamW;
import dev.cogforge.core.train.optim.NamedParam;

/**
 * {@code lora-train-step}: the trainer's own {@link TrainingStep} on the fixture's frozen transformer with the stored
 * LoRA init — forward, loss, backward, clip, AdamW — compared with cogvideox-factory at every stage: loss and its
 * intermediates, every raw gradient, the clipped gradients, and the LoRA weights after the step; then the whole step
 * again with the small max-norm variant (clipping active) from a fresh optimizer. Hyper-parameters come from the
 * case's {@code training_step} text, so a held-out fixture set with other values runs unchanged.
 */
public final class LoraTrainStepCaseKind implements CaseKind {
    private static final Pattern ADAMW = Pattern.compile("AdamW\\(lr=([0-9.eE+-]+), betas=\\(([0-9.eE+-]+), ?([0-9.eE+-]+)\\), eps=([0-9.eE+-]+), weight_decay=([0-9.eE+-]+)\\)");
    private static final Pattern MAX_NORM = Pattern.compile("max_norm=([0-9.eE+-]+)");

    @Override
    public String name() {
        return "lora-train-step";
    }

    @Override
    public boolean accepts(FixtureCase c) {
        return c.fixture().has("training_step") && c.fixture().has("lora") && c.has("lora_init.safetensors")
                && c.has("outputs.safetensors");
    }

    record Hyper(double lr, double beta1, double beta2, double eps, double weightDecay, double maxNorm) {}

    static Hyper hyper(JsonNode fixture) {
        String text = fixture.path("training_step").toString();
        Matcher m = ADAMW.matcher(text);
        if (!m.find()) throw new IllegalArgumentException("fixture.json training_step has no 'AdamW(lr=..., betas=(..), eps=.., weight_decay=..)'");
        Matcher n = MAX_NORM.matcher(text);
        if (!n.find()) throw new IllegalArgumentException("fixture.json training_step has no 'max_norm=...'");
        return new Hyper(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)), Double.parseDouble(n.group(1)));
    }

    @Override
    public List<Comparison> run(FixtureCase c) throws Exception {
        JsonNode fx = c.fixture();
        Hyper h = hyper(fx);
        JsonNode tol = fx.path("tolerance");
        Tolerance lossTol = Tolerance.from(tol.get("loss"), new Tolerance(1e-5, 1e-4));
        Tolerance outTol = Tolerance.from(tol.get("model_output"), new Tolerance(2e-5, 1e-4));
        Tolerance gradTol = Tolerance.from(tol.get("grads"), new Tolerance(1e-7, 1e-3));
        Tolerance afterTol = Tolerance.from(tol.get("after"), new Tolerance(1e-5, 1e-4));
        SchedulerConfig sched = SchedulerConfig.parse(fx.path("scheduler").path("config").toString(), c.dir() + "/fixture.json scheduler.config");
        TrainingNoise noise = new TrainingNoise(sched);
        SafetensorsFile outputs = c.outputs();
        List<Comparison> out = new ArrayList<>();
        out.addAll(variant(c, h, noise, h.maxNorm(), "", "grad_clipped.", "after.", true, lossTol, outTol, gradTol, afterTol));
        if (outputs.contains("small_clip_max_norm")) {
            double small = outputs.readFloats("small_clip_max_norm")[0];
            out.addAll(variant(c, h, noise, small, "small clip ", "grad_clipped_small.", "after_small_clip.", false, lossTol, outTol,
                    gradTol, afterTol));
        }
        return out;
    }

    private static List<Comparison> variant(FixtureCase c, Hyper h, TrainingNoise noise, double maxNorm, String label,
            String clippedPrefix, String afterPrefix, boolean full, Tolerance lossTol, Tolerance outTol, Tolerance gradTol,
            Tolerance afterTol) throws Exception {
        JsonNode lora = c.fixture().get("lora");
        List<String> targets = new ArrayList<>();
        lora.get("target_modules").forEach(t -> targets.add(t.asText()));
        LoraConfig cfg = new LoraConfig(lora.get("rank").asInt(), lora.get("lora_alpha").asDouble(), targets,
                lora.path("lora_dropout").asDouble(0.0), LoraConfig.Init.KAIMING_UNIFORM);
        SafetensorsFile outputs = c.outputs();
        List<Comparison> out = new ArrayList<>();
        try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(TransformerConfig.read(c.configFile()))) {
            model.loadStateDict(c.weights(), ScalarType.Float, null);
            LoraInjector.inject(model, cfg, LoraInjector.DEFAULT_ADAPTER, 0);
            Map<String, Parameter> params = LoraInjector.adapterParameters(model, LoraInjector.DEFAULT_ADAPTER);
            SafetensorsFile init = c.file("lora_init.safetensors");
            List<NamedParam> trainable = new ArrayList<>();
            for (var e : params.entrySet()) {
                e.getValue().set(init.load(e.getKey(), ScalarType.Float).requires_grad_(true));
                trainable.add(new NamedParam(e.getKey(), e.getValue().get()));
            }
            model.train(true);
            try (PointerScope scope = new PointerScope();
                 AdamW opt = AdamW.adamW(trainable, h.lr(), h.weightDecay(), h.beta1(), h.beta2(), h.eps())) {
                SafetensorsFile in = c.inputs();
                TrainingStep step = new TrainingStep(model, noise, trainable, opt, maxNorm);
                TrainingStep.Inputs inputs = new TrainingStep.Inputs(in.load("model_input", ScalarType.Float),
                        in.load("prompt_embeds", ScalarType.Float), in.load("noise", ScalarType.Float), in.load("timesteps"),
                        null, null, null);
                TrainingStep.Forward f = step.accumulate(inputs, 1);
                out.add(FixtureArgs.compare(label + "loss", f.loss().reshape(1), outputs, "loss", lossTol));
                if (full) {
                    out.add(FixtureArgs.compare("noisy_model_input", f.noisyLatents(), outputs, "noisy_model_input", outTol));
                    out.add(FixtureArgs.compare("model_output", f.modelOutput(), outputs, "model_output", outTol));
                    out.add(FixtureArgs.compare("model_pred", f.prediction(), outputs, "model_pred", outTol));
                    for (NamedParam p : trainable) {
                        Tensor g = p.tensor().grad();
                        if (!g.defined()) throw new IllegalStateException("no gradient reached " + p.name());
                        out.add(FixtureArgs.compare("grad." + p.name(), g, outputs, "grad." + p.name(), gradTol));
                    }
                }
                double norm = step.clipGradients();
                if (full) {
                    out.add(scalar("grad_norm_before_clip", norm, outputs, gradTol));
                    out.add(scalar("clip_coef", Math.min(1.0, maxNorm / (norm + 1e-6)), outputs, gradTol));
                }
                for (NamedParam p : trainable) {
                    String name = clippedPrefix + p.name();
                    if (outputs.contains(name)) out.add(FixtureArgs.compare(label + name, p.tensor().grad(), outputs, name, gradTol));
                }
                step.update(h.lr());
                for (NamedParam p : trainable) {
                    out.add(FixtureArgs.compare(label + afterPrefix + p.name(), p.tensor(), outputs, afterPrefix + p.name(), afterTol));
                }
            }
        }
        return out;
    }

    private static Comparison scalar(String name, double got, SafetensorsFile out, Tolerance tol) throws Exception {
        float[] ref = out.readFloats(name);
        return Comparison.of(name, new double[] {got}, new long[] {1}, new double[] {ref[0]}, new long[] {ref.length}, tol);
    }
}

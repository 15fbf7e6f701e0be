package dev.cogforge.core.lora;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.CaseKind;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.Tolerance;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.FixtureArgs;
import dev.cogforge.core.models.cogvideox.TrainingPass;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.nn.Parameter;

/**
 * {@code lora-train-step}: one cogvideox-factory LoRA step up to the gradients: add_noise → transformer →
 * get_velocity (x0 estimate) → 1/(1−ᾱ)-weighted MSE → backward, then clip_grad_norm for the stored max norm 1.0 and
 * the small-clip variant. Compares the loss, the intermediates and every LoRA gradient (raw and clipped). The
 * AdamW {@code after.*} tensors belong to the optimizer's own case.
 */
public final class LoraGradCaseKind implements CaseKind {
    @Override
    public String name() {
        return "cogvideox-lora-grad";
    }

    @Override
    public boolean accepts(FixtureCase c) {
        return c.name().equals("lora-train-step");
    }

    @Override
    public List<Comparison> run(FixtureCase c) throws Exception {
        JsonNode fx = c.fixture();
        JsonNode lora = fx.get("lora");
        JsonNode tolNode = fx.path("tolerance");
        Tolerance lossTol = Tolerance.from(tolNode.get("loss"), new Tolerance(1e-5, 1e-4));
        Tolerance outTol = Tolerance.from(tolNode.get("model_output"), new Tolerance(2e-5, 1e-4));
        Tolerance gradTol = Tolerance.from(tolNode.get("grads"), new Tolerance(1e-7, 1e-3));
        List<String> targets = new ArrayList<>();
        lora.get("target_modules").forEach(t -> targets.add(t.asText()));
        LoraConfig cfg = new LoraConfig(lora.get("rank").asInt(), lora.get("lora_alpha").asDouble(), targets,
                lora.path("lora_dropout").asDouble(0.0), LoraConfig.Init.KAIMING_UNIFORM);
        double[] alphasCumprod = CogVideoXNoiseTable.alphasCumprod(fx.path("scheduler").path("config"));

        List<Comparison> out = new ArrayList<>();
        SafetensorsFile outputs = c.outputs();
        try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(TransformerConfig.read(c.configFile()))) {
            model.loadStateDict(c.weights(), ScalarType.Float, null);
            LoraInjector.inject(model, cfg, LoraInjector.DEFAULT_ADAPTER, 0);
            Map<String, Parameter> params = LoraInjector.adapterParameters(model, LoraInjector.DEFAULT_ADAPTER);
            SafetensorsFile init = c.file("lora_init.safetensors");
            for (var e : params.entrySet()) {
                e.getValue().set(init.load(e.getKey(), ScalarType.Float).requires_grad_(true));
            }
            model.train(true);
            try (PointerScope scope = new PointerScope()) {
                SafetensorsFile in = c.inputs();
                Tensor x0 = in.load("model_input");
                Tensor prompt = in.load("prompt_embeds");
                Tensor noise = in.load("noise");
                Tensor t = in.load("timesteps");
                Tensor acp = Tensors.fromDoubles(alphasCumprod, alphasCumprod.length).to(ScalarType.Float);
                Tensor acpT = acp.index_select(0, t);
                Tensor sqrtA = broadcast(acpT.pow(new Scalar(0.5)), x0);
                Tensor sqrtOneMinusA = broadcast(acpT.neg().add(new Scalar(1.0)).pow(new Scalar(0.5)), x0);
                Tensor noisy = sqrtA.mul(x0).add(sqrtOneMinusA.mul(noise));
                TrainingPass pass = model.forwardForTraining(noisy, prompt, t, null, null);
                Tensor modelOutput = pass.output();
                Tensor pred = sqrtA.mul(noisy).sub(sqrtOneMinusA.mul(modelOutput));
                Tensor weights = acpT.neg().add(new Scalar(1.0)).reciprocal();
                long b = x0.size(0);
                Tensor perSample = broadcast(weights, x0).mul(pred.sub(x0).pow(new Scalar(2))).reshape(b, -1).mean(1);
                Tensor loss = perSample.mean();
                pass.backward(loss);

                out.add(FixtureArgs.compare("noisy_model_input", noisy, outputs, "noisy_model_input", outTol));
                out.add(FixtureArgs.compare("model_output", modelOutput, outputs, "model_output", outTol));
                out.add(FixtureArgs.compare("model_pred", pred, outputs, "model_pred", outTol));
                out.add(FixtureArgs.compare("loss_weights", weights, outputs, "loss_weights", lossTol));
                out.add(FixtureArgs.compare("loss_per_sample", perSample, outputs, "loss_per_sample", lossTol));
                out.add(FixtureArgs.compare("loss", loss.reshape(1), outputs, "loss", lossTol));
                List<Tensor> grads = new ArrayList<>();
                for (var e : params.entrySet()) {
                    Tensor g = e.getValue().get().grad();
                    if (!g.defined()) throw new IllegalStateException("no gradient reached " + e.getKey());
                    grads.add(g);
                    out.add(FixtureArgs.compare("grad." + e.getKey(), g, outputs, "grad." + e.getKey(), gradTol));
                }
                try (NoGradGuard ng = new NoGradGuard()) {
                    GradClip.Result clip = GradClip.clipByTotalNorm(cloneAll(grads), 1.0);
                    out.add(FixtureArgs.compare("grad_norm_before_clip", clip.totalNorm().reshape(1), outputs, "grad_norm_before_clip", gradTol));
                    out.add(FixtureArgs.compare("clip_coef", clip.clampedCoefficient().reshape(1), outputs, "clip_coef", gradTol));
                    compareClipped(out, params, clip.grads(), outputs, "grad_clipped.", gradTol);
                    if (outputs.contains("small_clip_max_norm")) {
                        double small = outputs.readFloats("small_clip_max_norm")[0];
                        GradClip.Result sc = GradClip.clipByTotalNorm(cloneAll(grads), small);
                        compareClipped(out, params, sc.grads(), outputs, "grad_clipped_small.", gradTol);
                    }
                }
            }
        }
        return out;
    }

    private static List<Tensor> cloneAll(List<Tensor> grads) {
        List<Tensor> c = new ArrayList<>();
        for (Tensor g : grads) c.add(g.clone());
        return c;
    }

    private static void compareClipped(List<Comparison> out, Map<String, Parameter> params, List<Tensor> clipped,
            SafetensorsFile outputs, String prefix, Tolerance tol) throws IOException {
        int i = 0;
        for (String key : params.keySet()) {
            String name = prefix + key;
            if (outputs.contains(name)) out.add(FixtureArgs.compare(name, clipped.get(i), outputs, name, tol));
            i++;
        }
    }

    private static Tensor broadcast(Tensor perSample, Tensor like) {
        long[] shape = new long[(int) like.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = perSample.size(0);
        return perSample.reshape(shape);
    }
}

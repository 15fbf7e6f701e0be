package dev.cogforge.core.train.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.CaseKind;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.Tolerance;
import dev.cogforge.core.io.SafetensorsFile;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The model-free half of the {@code lora-train-step} case: from the stored raw gradients ({@code grad.*}) and initial
 * LoRA weights ({@code lora_init.safetensors}), clip the gradient norm and take one AdamW step, then compare
 * {@code grad_norm_before_clip}, {@code clip_coef}, {@code grad_clipped.*}, {@code after.*} and the small-clip variant.
 * Hyper-parameters are read from the case's {@code training_step} description so other fixture sets work unchanged.
 */
public final class OptimizerStepCaseKind implements CaseKind {
    private static final Pattern ADAMW = Pattern.compile("AdamW\\(lr=([0-9.eE+-]+), betas=\\(([0-9.eE+-]+), ?([0-9.eE+-]+)\\), eps=([0-9.eE+-]+), weight_decay=([0-9.eE+-]+)\\)");
    private static final Pattern MAX_NORM = Pattern.compile("max_norm=([0-9.eE+-]+)");

    @Override
    public String name() {
        return "optimizer-step";
    }

    @Override
    public boolean accepts(FixtureCase c) {
        return c.fixture().has("training_step") && c.has("lora_init.safetensors") && c.has("outputs.safetensors");
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
        Hyper h = hyper(c.fixture());
        JsonNode tol = c.fixture().path("tolerance");
        Tolerance gradTol = Tolerance.from(tol.get("grads"), new Tolerance(1e-7, 1e-3));
        Tolerance afterTol = Tolerance.from(tol.get("after"), new Tolerance(1e-5, 1e-4));
        SafetensorsFile init = c.file("lora_init.safetensors");
        SafetensorsFile out = c.outputs();
        List<Comparison> results = new ArrayList<>();
        results.addAll(variant(init, out, h, h.maxNorm(), "", "grad_clipped.", "after.", gradTol, afterTol, true));
        if (out.contains("small_clip_max_norm")) {
            double small = out.readFloats("small_clip_max_norm")[0];
            results.addAll(variant(init, out, h, small, "small clip ", "grad_clipped_small.", "after_small_clip.", gradTol, afterTol, false));
        }
        return results;
    }

    private static List<Comparison> variant(SafetensorsFile init, SafetensorsFile out, Hyper h, double maxNorm, String label,
            String clippedPrefix, String afterPrefix, Tolerance gradTol, Tolerance afterTol, boolean checkNorm) throws Exception {
        List<Comparison> results = new ArrayList<>();
        try (PointerScope scope = new PointerScope()) {
            List<NamedParam> params = new ArrayList<>();
            List<Tensor> grads = new ArrayList<>();
            for (String name : init.names()) {
                params.add(new NamedParam(name, init.load(name, ScalarType.Float)));
                grads.add(out.load("grad." + name, ScalarType.Float));
            }
            double norm = ClipGrad.clipGradients(grads, maxNorm);
            if (checkNorm) {
                results.add(scalar("grad_norm_before_clip", norm, out, gradTol));
                double coef = Math.min(1.0, maxNorm / (norm + ClipGrad.EPSILON));
                results.add(scalar("clip_coef", coef, out, gradTol));
            }
            for (int i = 0; i < params.size(); i++) {
                results.add(compare(label + clippedPrefix + params.get(i).name(), grads.get(i), out, clippedPrefix + params.get(i).name(), gradTol));
            }
            try (AdamW opt = AdamW.adamW(params, h.lr(), h.weightDecay(), h.beta1(), h.beta2(), h.eps())) {
                opt.step(grads);
            }
            for (NamedParam p : params) {
                results.add(compare(label + afterPrefix + p.name(), p.tensor(), out, afterPrefix + p.name(), afterTol));
            }
        }
        return results;
    }

    private static Comparison scalar(String name, double got, SafetensorsFile out, Tolerance tol) throws Exception {
        float[] ref = out.readFloats(name);
        return Comparison.of(name, new double[] {got}, new long[] {1}, new double[] {ref[0]}, new long[] {ref.length}, tol);
    }

    private static Comparison compare(String label, Tensor got, SafetensorsFile out, String refName, Tolerance tol) throws Exception {
        return Comparison.of(label, Tensors.toFloats(got), Tensors.shape(got), out.readFloats(refName), out.info(refName).shape(), tol);
    }
}

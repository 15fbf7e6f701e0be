package dev.cogforge.core.models.cogvideox;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.fixtures.CaseKind;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.fixtures.Tolerance;
import dev.cogforge.core.io.SafetensorsFile;

/**
 * Parity cases {@code transformer-*}: every call of {@code fixture.json} (each latent size, the bf16-weights
 * variant), with rotary tables rebuilt from {@code fixture.json["rotary"]} and checked against the stored ones
 * before they are used.
 */
public final class TransformerCaseKind implements CaseKind {
    static final String BF16_WEIGHTS = "weights_bf16.safetensors";

    @Override
    public String name() {
        return "cogvideox-transformer";
    }

    @Override
    public boolean accepts(FixtureCase c) {
        return c.name().startsWith("transformer-");
    }

    @Override
    public List<Comparison> run(FixtureCase c) throws Exception {
        TransformerConfig config = TransformerConfig.read(c.configFile());
        Tolerance tol = c.tolerance();
        List<Comparison> out = new ArrayList<>();
        JsonNode calls = c.fixture().path("calls");
        if (!calls.isArray() || calls.isEmpty()) throw new IOException(c.dir() + "/fixture.json: no 'calls'");
        JsonNode firstArgs = calls.get(0).path("args");
        try (CogVideoXTransformer3D model = new CogVideoXTransformer3D(config)) {
            model.loadStateDict(c.weights(), ScalarType.Float, null);
            for (int i = 0; i < calls.size(); i++) {
                JsonNode call = calls.get(i);
                String function = call.path("function").asText("");
                JsonNode args = call.path("args").isObject() ? call.path("args") : firstArgs;
                String outputName = FixtureArgs.tensorName(call.path("output").asText(), "outputs");
                JsonNode rotaryParams = call.has("rotary") ? call.get("rotary") : (i == 0 ? c.fixture().get("rotary") : null);
                if (function.contains(BF16_WEIGHTS) || outputName.contains("bf16")) {
                    if (!c.has(BF16_WEIGHTS)) throw new IOException(c.dir() + ": call " + i + " needs " + BF16_WEIGHTS);
                    try (CogVideoXTransformer3D bf16 = new CogVideoXTransformer3D(config)) {
                        // bf16 values widened to float32, exactly what the reference computed with
                        bf16.loadStateDict(c.file(BF16_WEIGHTS), ScalarType.Float, null);
                        runCall(c, bf16, args, rotaryParams, outputName, tol, out);
                    }
                } else {
                    runCall(c, model, args, rotaryParams, outputName, tol, out);
                }
            }
        }
        return out;
    }

    private static void runCall(FixtureCase c, CogVideoXTransformer3D model, JsonNode args, JsonNode rotaryParams,
            String outputName, Tolerance tol, List<Comparison> out) throws IOException {
        SafetensorsFile in = c.inputs();
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor hidden = in.load(FixtureArgs.tensorName(args.path("hidden_states").asText(), "inputs"));
            Tensor text = in.load(FixtureArgs.tensorName(args.path("encoder_hidden_states").asText(), "inputs"));
            Tensor timestep = in.load(FixtureArgs.tensorName(args.path("timestep").asText(), "inputs"));
            Tensor ofs = args.has("ofs") ? in.load(FixtureArgs.tensorName(args.path("ofs").asText(), "inputs")) : null;
            RotaryEmbedding.Tables rotary = null;
            if (args.has("image_rotary_emb")) {
                String[] names = FixtureArgs.tensorPair(args.path("image_rotary_emb").asText());
                Tensor storedCos = in.load(names[0]);
                Tensor storedSin = in.load(names[1]);
                if (rotaryParams != null) {
                    rotary = rebuildRotary(rotaryParams, out, names);
                    out.add(FixtureArgs.compare(names[0] + " (rebuilt)", rotary.cos(), storedCos, tol));
                    out.add(FixtureArgs.compare(names[1] + " (rebuilt)", rotary.sin(), storedSin, tol));
                } else {
                    rotary = new RotaryEmbedding.Tables(storedCos, storedSin);
                }
            }
            Tensor sample = model.forward(hidden, text, timestep, ofs, rotary).to(ScalarType.Float);
            out.add(FixtureArgs.compare(outputName, sample, c.outputs(), outputName, tol));
        }
    }

    private static RotaryEmbedding.Tables rebuildRotary(JsonNode p, List<Comparison> out, String[] names) {
        Integer patchSizeT = p.path("patch_size_t").isNull() || p.path("patch_size_t").isMissingNode() ? null : p.get("patch_size_t").asInt();
        int heightPx = p.get("height").asInt();
        int widthPx = p.get("width").asInt();
        int vae = p.path("vae_scale_factor_spatial").asInt(8);
        int patch = p.path("patch_size").asInt(2);
        int baseH = p.get("base_height").asInt();
        int baseW = p.get("base_width").asInt();
        if (patchSizeT == null && p.has("grid_crops_coords")) {
            JsonNode g = p.get("grid_crops_coords");
            RotaryEmbedding.CropRegion r = RotaryEmbedding.resizeCropRegion(heightPx / (vae * patch), widthPx / (vae * patch),
                    baseW / (vae * patch), baseH / (vae * patch));
            double[] got = {r.top(), r.left(), r.bottom(), r.right()};
            double[] ref = {g.get(0).get(0).asDouble(), g.get(0).get(1).asDouble(), g.get(1).get(0).asDouble(), g.get(1).get(1).asDouble()};
            out.add(Comparison.of(names[0] + " crop region", got, new long[] {2, 2}, ref, new long[] {2, 2}, new Tolerance(0, 0)));
        }
        return RotaryEmbedding.prepare(heightPx, widthPx, p.get("num_frames").asInt(), vae, patch, patchSizeT,
                p.get("attention_head_dim").asInt(), baseH, baseW);
    }

}

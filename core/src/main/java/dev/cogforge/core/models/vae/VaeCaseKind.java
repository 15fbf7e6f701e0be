package dev.cogforge.core.models.vae;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.CaseKind;
import dev.cogforge.core.fixtures.Comparison;
import dev.cogforge.core.fixtures.FixtureCase;
import dev.cogforge.core.io.SafetensorsFile;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Runs the {@code vae*} fixture cases: encode (mean/std/logvar/sample with the stored noise) and decode with
 * diffusers' frame batching, the same with batching off, and tiled encode/decode with the tile settings named in
 * {@code fixture.json}. Every produced tensor that {@code outputs.safetensors} holds is compared.
 */
public final class VaeCaseKind implements CaseKind {
    @Override
    public String name() {
        return "vae";
    }

    @Override
    public boolean accepts(FixtureCase fixtureCase) {
        return fixtureCase.name().startsWith("vae");
    }

    @Override
    public List<Comparison> run(FixtureCase c) throws Exception {
        VaeConfig config = VaeConfig.read(c.configFile());
        SafetensorsFile inputs = c.inputs();
        SafetensorsFile outputs = c.outputs();
        Map<String, Tensor> produced = new LinkedHashMap<>();
        try (AutoencoderKLCogVideoX vae = new AutoencoderKLCogVideoX(config);
                PointerScope scope = new PointerScope()) {
            vae.loadStateDict(c.weights(), ScalarType.Float, null);
            applyFrameBatchSizes(c.fixture(), vae);
            Tensor x = inputs.load("x", ScalarType.Float);
            Tensor z = inputs.load("z", ScalarType.Float);

            LatentDistribution enc = vae.encode(x);
            produced.put("enc_mean", enc.mean());
            produced.put("enc_std", enc.std());
            produced.put("enc_logvar", enc.logvar());
            if (inputs.contains("noise")) produced.put("enc_sample", enc.sample(inputs.load("noise", ScalarType.Float)));
            produced.put("dec", vae.decode(z));

            vae.setFrameBatching(false);
            LatentDistribution whole = vae.encode(x);
            produced.put("enc_unbatched_mean", whole.mean());
            produced.put("enc_unbatched_std", whole.std());
            produced.put("enc_unbatched_logvar", whole.logvar());
            produced.put("dec_unbatched", vae.decode(z));
            vae.setFrameBatching(true);

            TileSettings tiles = tileSettings(c.fixture(), config);
            if (tiles != null) {
                vae.setTiling(true, tiles);
                LatentDistribution tiled = vae.encode(x);
                produced.put("enc_tiled_mean", tiled.mean());
                produced.put("enc_tiled_std", tiled.std());
                produced.put("enc_tiled_logvar", tiled.logvar());
                produced.put("dec_tiled", vae.decode(z));
                vae.setTiling(false);
            }

            List<Comparison> out = new ArrayList<>();
            for (var e : produced.entrySet()) {
                if (!outputs.contains(e.getKey())) continue;
                out.add(Comparison.of(e.getKey(), Tensors.toFloats(e.getValue()), Tensors.shape(e.getValue()),
                        outputs.readFloats(e.getKey()), outputs.info(e.getKey()).shape(), c.tolerance()));
            }
            return out;
        }
    }

    private static void applyFrameBatchSizes(JsonNode fixture, AutoencoderKLCogVideoX vae) {
        int sample = AutoencoderKLCogVideoX.DEFAULT_SAMPLE_FRAMES_PER_CHUNK;
        int latent = AutoencoderKLCogVideoX.DEFAULT_LATENT_FRAMES_PER_CHUNK;
        for (JsonNode call : fixture.path("calls")) {
            JsonNode fb = call.path("frame_batching");
            if (fb.has("num_sample_frames_batch_size")) sample = fb.get("num_sample_frames_batch_size").asInt();
            if (fb.has("num_latent_frames_batch_size")) latent = fb.get("num_latent_frames_batch_size").asInt();
        }
        vae.setFrameBatchSizes(sample, latent);
    }

    /** The tile settings of the call that has a {@code tiling} entry, null when the case has none. */
    private static TileSettings tileSettings(JsonNode fixture, VaeConfig config) {
        for (JsonNode call : fixture.path("calls")) {
            JsonNode t = call.get("tiling");
            if (t == null || !t.isObject()) continue;
            TileSettings d = TileSettings.defaults(config);
            return new TileSettings(
                    t.path("tile_sample_min_height").asInt(d.tileSampleMinHeight()),
                    t.path("tile_sample_min_width").asInt(d.tileSampleMinWidth()),
                    t.path("tile_overlap_factor_height").asDouble(d.tileOverlapFactorHeight()),
                    t.path("tile_overlap_factor_width").asDouble(d.tileOverlapFactorWidth()));
        }
        return null;
    }
}

package dev.cogforge.core.models.t5;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.cogforge.core.io.ConfigJson;

/**
 * The encoder-relevant part of a transformers {@code T5Config} ({@code text_encoder/config.json}), with the library's
 * own key names. Only the T5 v1.1 feed-forward ({@code gated-gelu}, tanh GELU) is supported because that is what
 * CogVideoX ships; anything else is rejected when the config is read rather than computed wrongly.
 */
public record T5Config(
        @JsonProperty("d_model") Integer dModel,
        @JsonProperty("d_kv") Integer dKv,
        @JsonProperty("d_ff") Integer dFf,
        @JsonProperty("num_layers") Integer numLayers,
        @JsonProperty("num_heads") Integer numHeads,
        @JsonProperty("relative_attention_num_buckets") Integer relativeAttentionNumBuckets,
        @JsonProperty("relative_attention_max_distance") Integer relativeAttentionMaxDistance,
        @JsonProperty("layer_norm_epsilon") Double layerNormEpsilon,
        @JsonProperty("vocab_size") Integer vocabSize,
        @JsonProperty("feed_forward_proj") String feedForwardProj,
        @JsonProperty("dense_act_fn") String denseActFn) {

    /** transformers' defaults for the two relative-attention keys, which older configs omit. */
    private static final int DEFAULT_NUM_BUCKETS = 32;
    private static final int DEFAULT_MAX_DISTANCE = 128;
    private static final double DEFAULT_EPS = 1e-6;

    public T5Config {
        if (relativeAttentionNumBuckets == null) relativeAttentionNumBuckets = DEFAULT_NUM_BUCKETS;
        if (relativeAttentionMaxDistance == null) relativeAttentionMaxDistance = DEFAULT_MAX_DISTANCE;
        if (layerNormEpsilon == null) layerNormEpsilon = DEFAULT_EPS;
        if (feedForwardProj == null) feedForwardProj = "relu";
    }

    public static T5Config read(Path configJson) throws IOException {
        T5Config c = ConfigJson.read(configJson, T5Config.class);
        c.validate(configJson.toString());
        return c;
    }

    /** Throws naming the source and the offending key when the config cannot describe a supported encoder. */
    public void validate(String source) {
        require(source, "d_model", dModel);
        require(source, "d_kv", dKv);
        require(source, "d_ff", dFf);
        require(source, "num_layers", numLayers);
        require(source, "num_heads", numHeads);
        require(source, "vocab_size", vocabSize);
        require(source, "relative_attention_num_buckets", relativeAttentionNumBuckets);
        require(source, "relative_attention_max_distance", relativeAttentionMaxDistance);
        if (relativeAttentionNumBuckets < 4 || relativeAttentionNumBuckets % 2 != 0) {
            throw new IllegalArgumentException(source + ": relative_attention_num_buckets must be an even number >= 4, got "
                    + relativeAttentionNumBuckets);
        }
        if (relativeAttentionMaxDistance <= relativeAttentionNumBuckets / 4) {
            throw new IllegalArgumentException(source + ": relative_attention_max_distance (" + relativeAttentionMaxDistance
                    + ") must exceed num_buckets/4 (" + relativeAttentionNumBuckets / 4 + ")");
        }
        if (!(layerNormEpsilon > 0)) throw new IllegalArgumentException(source + ": layer_norm_epsilon must be > 0");
        if (!"gated-gelu".equals(feedForwardProj)) {
            throw new IllegalArgumentException(source + ": feed_forward_proj '" + feedForwardProj
                    + "' is not supported; only T5 v1.1 'gated-gelu' (CogVideoX's text encoder) is implemented");
        }
        // transformers overrides dense_act_fn with gelu_new for "gated-gelu"; an explicit other value would be ignored
        // there too, but it signals a hand-edited config, so say so instead of silently diverging.
        if (denseActFn != null && !denseActFn.equals("gelu_new") && !denseActFn.equals("gelu_pytorch_tanh")) {
            throw new IllegalArgumentException(source + ": dense_act_fn '" + denseActFn
                    + "' is not supported with gated-gelu; expected gelu_new (tanh-approximated GELU)");
        }
    }

    public long innerDim() {
        return (long) numHeads * dKv;
    }

    private static void require(String source, String key, Integer value) {
        if (value == null) throw new IllegalArgumentException(source + ": missing key '" + key + "'");
        if (value <= 0) throw new IllegalArgumentException(source + ": key '" + key + "' must be > 0, got " + value);
    }
}

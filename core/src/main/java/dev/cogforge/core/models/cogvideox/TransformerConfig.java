package dev.cogforge.core.models.cogvideox;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.cogforge.core.io.ConfigJson;

/**
 * {@code transformer/config.json} of a CogVideoX checkpoint with diffusers' key names. Absent keys take diffusers'
 * constructor defaults (the original 2b config lacks {@code patch_bias} and {@code use_rotary_positional_embeddings}).
 */
public record TransformerConfig(
        int numAttentionHeads,
        int attentionHeadDim,
        int inChannels,
        int outChannels,
        boolean flipSinToCos,
        int freqShift,
        int timeEmbedDim,
        Integer ofsEmbedDim,
        int textEmbedDim,
        int numLayers,
        double dropout,
        boolean attentionBias,
        int sampleWidth,
        int sampleHeight,
        int sampleFrames,
        int patchSize,
        Integer patchSizeT,
        int temporalCompressionRatio,
        int maxTextSeqLength,
        String activationFn,
        String timestepActivationFn,
        boolean normElementwiseAffine,
        double normEps,
        double spatialInterpolationScale,
        double temporalInterpolationScale,
        boolean useRotaryPositionalEmbeddings,
        boolean useLearnedPositionalEmbeddings,
        boolean patchBias) {

    /** Jackson entry point: boxed parameters so that absent keys can fall back to diffusers' defaults. */
    @JsonCreator
    static TransformerConfig fromJson(
            @JsonProperty("num_attention_heads") Integer numAttentionHeads,
            @JsonProperty("attention_head_dim") Integer attentionHeadDim,
            @JsonProperty("in_channels") Integer inChannels,
            @JsonProperty("out_channels") Integer outChannels,
            @JsonProperty("flip_sin_to_cos") Boolean flipSinToCos,
            @JsonProperty("freq_shift") Integer freqShift,
            @JsonProperty("time_embed_dim") Integer timeEmbedDim,
            @JsonProperty("ofs_embed_dim") Integer ofsEmbedDim,
            @JsonProperty("text_embed_dim") Integer textEmbedDim,
            @JsonProperty("num_layers") Integer numLayers,
            @JsonProperty("dropout") Double dropout,
            @JsonProperty("attention_bias") Boolean attentionBias,
            @JsonProperty("sample_width") Integer sampleWidth,
            @JsonProperty("sample_height") Integer sampleHeight,
            @JsonProperty("sample_frames") Integer sampleFrames,
            @JsonProperty("patch_size") Integer patchSize,
            @JsonProperty("patch_size_t") Integer patchSizeT,
            @JsonProperty("temporal_compression_ratio") Integer temporalCompressionRatio,
            @JsonProperty("max_text_seq_length") Integer maxTextSeqLength,
            @JsonProperty("activation_fn") String activationFn,
            @JsonProperty("timestep_activation_fn") String timestepActivationFn,
            @JsonProperty("norm_elementwise_affine") Boolean normElementwiseAffine,
            @JsonProperty("norm_eps") Double normEps,
            @JsonProperty("spatial_interpolation_scale") Double spatialInterpolationScale,
            @JsonProperty("temporal_interpolation_scale") Double temporalInterpolationScale,
            @JsonProperty("use_rotary_positional_embeddings") Boolean useRotary,
            @JsonProperty("use_learned_positional_embeddings") Boolean useLearned,
            @JsonProperty("patch_bias") Boolean patchBias) {
        return new TransformerConfig(or(numAttentionHeads, 30), or(attentionHeadDim, 64), or(inChannels, 16),
                or(outChannels, 16), or(flipSinToCos, true), or(freqShift, 0),
                or(timeEmbedDim, 512), ofsEmbedDim, or(textEmbedDim, 4096), or(numLayers, 30), or(dropout, 0.0),
                or(attentionBias, true), or(sampleWidth, 90), or(sampleHeight, 60), or(sampleFrames, 49),
                or(patchSize, 2), patchSizeT, or(temporalCompressionRatio, 4), or(maxTextSeqLength, 226),
                or(activationFn, "gelu-approximate"), or(timestepActivationFn, "silu"), or(normElementwiseAffine, true),
                or(normEps, 1e-5), or(spatialInterpolationScale, 1.875), or(temporalInterpolationScale, 1.0),
                or(useRotary, false), or(useLearned, false), or(patchBias, true));
    }

    public TransformerConfig {
        if (numAttentionHeads <= 0 || attentionHeadDim <= 0) throw new IllegalArgumentException("num_attention_heads and attention_head_dim must be positive");
        if (numLayers < 0) throw new IllegalArgumentException("num_layers must be >= 0");
        if (!"gelu-approximate".equals(activationFn)) {
            throw new IllegalArgumentException("activation_fn '" + activationFn + "' is not supported (CogVideoX uses 'gelu-approximate')");
        }
        if (!"silu".equals(timestepActivationFn)) {
            throw new IllegalArgumentException("timestep_activation_fn '" + timestepActivationFn + "' is not supported (CogVideoX uses 'silu')");
        }
        if (!useRotaryPositionalEmbeddings && useLearnedPositionalEmbeddings) {
            throw new IllegalArgumentException("use_learned_positional_embeddings requires use_rotary_positional_embeddings (as in diffusers)");
        }
        if (ofsEmbedDim != null && ofsEmbedDim != 0 && ofsEmbedDim != timeEmbedDim) {
            throw new IllegalArgumentException("ofs_embed_dim " + ofsEmbedDim + " must equal time_embed_dim " + timeEmbedDim
                    + " (the ofs embedding is added to the time embedding)");
        }
        if (patchSizeT != null && patchSizeT <= 0) throw new IllegalArgumentException("patch_size_t must be positive or null");
    }

    public static TransformerConfig read(Path configJson) throws IOException {
        try {
            return ConfigJson.read(configJson, TransformerConfig.class);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException(configJson + ": " + e.getMessage(), e);
        }
    }

    public static TransformerConfig parse(String json, String sourceName) throws IOException {
        return ConfigJson.read(json, TransformerConfig.class, sourceName);
    }

    public int innerDim() {
        return numAttentionHeads * attentionHeadDim;
    }

    public boolean hasOfsEmbedding() {
        return ofsEmbedDim != null && ofsEmbedDim != 0;
    }

    /** 1.5 checkpoints patchify time too (Linear patch embedding). */
    public boolean isVersion15() {
        return patchSizeT != null;
    }

    /** Whether the fixed 3-D sincos table is added (2b style): diffusers adds it exactly when rotary is off. */
    public boolean usesSincosPositions() {
        return !useRotaryPositionalEmbeddings;
    }

    private static <T> T or(T v, T d) {
        return v == null ? d : v;
    }
}

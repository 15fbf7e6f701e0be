package dev.cogforge.core.models.vae;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.cogforge.core.io.ConfigJson;

/**
 * {@code vae/config.json} of {@code AutoencoderKLCogVideoX}, with the diffusers key names. Missing keys take
 * diffusers' constructor defaults (the CogVideoX-2b values), so a partial config builds the same model diffusers would.
 */
public record VaeConfig(
        @JsonProperty("in_channels") int inChannels,
        @JsonProperty("out_channels") int outChannels,
        @JsonProperty("down_block_types") List<String> downBlockTypes,
        @JsonProperty("up_block_types") List<String> upBlockTypes,
        @JsonProperty("block_out_channels") List<Integer> blockOutChannels,
        @JsonProperty("latent_channels") int latentChannels,
        @JsonProperty("layers_per_block") int layersPerBlock,
        @JsonProperty("act_fn") String actFn,
        @JsonProperty("norm_eps") double normEps,
        @JsonProperty("norm_num_groups") int normNumGroups,
        @JsonProperty("temporal_compression_ratio") double temporalCompressionRatio,
        @JsonProperty("sample_height") int sampleHeight,
        @JsonProperty("sample_width") int sampleWidth,
        @JsonProperty("scaling_factor") double scalingFactor,
        @JsonProperty("shift_factor") Double shiftFactor,
        @JsonProperty("force_upcast") boolean forceUpcast,
        @JsonProperty("use_quant_conv") boolean useQuantConv,
        @JsonProperty("use_post_quant_conv") boolean usePostQuantConv,
        @JsonProperty("invert_scale_latents") boolean invertScaleLatents) {

    public static final String DOWN_BLOCK = "CogVideoXDownBlock3D";
    public static final String UP_BLOCK = "CogVideoXUpBlock3D";

    @JsonCreator
    public VaeConfig(
            @JsonProperty("in_channels") Integer inChannels,
            @JsonProperty("out_channels") Integer outChannels,
            @JsonProperty("down_block_types") List<String> downBlockTypes,
            @JsonProperty("up_block_types") List<String> upBlockTypes,
            @JsonProperty("block_out_channels") List<Integer> blockOutChannels,
            @JsonProperty("latent_channels") Integer latentChannels,
            @JsonProperty("layers_per_block") Integer layersPerBlock,
            @JsonProperty("act_fn") String actFn,
            @JsonProperty("norm_eps") Double normEps,
            @JsonProperty("norm_num_groups") Integer normNumGroups,
            @JsonProperty("temporal_compression_ratio") Double temporalCompressionRatio,
            @JsonProperty("sample_height") Integer sampleHeight,
            @JsonProperty("sample_width") Integer sampleWidth,
            @JsonProperty("scaling_factor") Double scalingFactor,
            @JsonProperty("shift_factor") Double shiftFactor,
            @JsonProperty("force_upcast") Boolean forceUpcast,
            @JsonProperty("use_quant_conv") Boolean useQuantConv,
            @JsonProperty("use_post_quant_conv") Boolean usePostQuantConv,
            @JsonProperty("invert_scale_latents") Boolean invertScaleLatents) {
        this(i(inChannels, 3), i(outChannels, 3),
                downBlockTypes == null ? List.of(DOWN_BLOCK, DOWN_BLOCK, DOWN_BLOCK, DOWN_BLOCK) : List.copyOf(downBlockTypes),
                upBlockTypes == null ? List.of(UP_BLOCK, UP_BLOCK, UP_BLOCK, UP_BLOCK) : List.copyOf(upBlockTypes),
                blockOutChannels == null ? List.of(128, 256, 256, 512) : List.copyOf(blockOutChannels),
                i(latentChannels, 16), i(layersPerBlock, 3), actFn == null ? "silu" : actFn, d(normEps, 1e-6),
                i(normNumGroups, 32), d(temporalCompressionRatio, 4.0), i(sampleHeight, 480), i(sampleWidth, 720),
                d(scalingFactor, 1.15258426), shiftFactor, b(forceUpcast, true), b(useQuantConv, false),
                b(usePostQuantConv, false), b(invertScaleLatents, false));
    }

    private static int i(Integer v, int fallback) {
        return v == null ? fallback : v;
    }

    private static double d(Double v, double fallback) {
        return v == null ? fallback : v;
    }

    private static boolean b(Boolean v, boolean fallback) {
        return v == null ? fallback : v;
    }

    /** The official CogVideoX VAE (all five models share it; only the scaling factor differs). */
    public static VaeConfig official(double scalingFactor, boolean invertScaleLatents) {
        return new VaeConfig(3, 3, List.of(DOWN_BLOCK, DOWN_BLOCK, DOWN_BLOCK, DOWN_BLOCK),
                List.of(UP_BLOCK, UP_BLOCK, UP_BLOCK, UP_BLOCK), List.of(128, 256, 256, 512), 16, 3, "silu", 1e-6, 32,
                4.0, 480, 720, scalingFactor, null, true, false, false, invertScaleLatents);
    }

    /** Reads and validates {@code config.json}; every problem is reported with the file named. */
    public static VaeConfig read(Path file) throws IOException {
        VaeConfig c = ConfigJson.read(file, VaeConfig.class);
        List<String> problems = c.problems();
        if (!problems.isEmpty()) throw new IOException(file + ": unsupported VAE config: " + String.join("; ", problems));
        return c;
    }

    /** Everything that keeps this config from building a CogVideoX VAE, empty when it is fine. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (blockOutChannels.isEmpty()) p.add("block_out_channels must not be empty");
        if (downBlockTypes.size() != blockOutChannels.size()) p.add("down_block_types has " + downBlockTypes.size()
                + " entries but block_out_channels has " + blockOutChannels.size());
        if (upBlockTypes.size() != blockOutChannels.size()) p.add("up_block_types has " + upBlockTypes.size()
                + " entries but block_out_channels has " + blockOutChannels.size());
        for (String t : downBlockTypes) if (!DOWN_BLOCK.equals(t)) p.add("down_block_types: '" + t + "' (only " + DOWN_BLOCK + ")");
        for (String t : upBlockTypes) if (!UP_BLOCK.equals(t)) p.add("up_block_types: '" + t + "' (only " + UP_BLOCK + ")");
        if (!"silu".equals(actFn) && !"swish".equals(actFn)) p.add("act_fn '" + actFn + "' (only silu)");
        if (normNumGroups <= 0) p.add("norm_num_groups must be positive");
        for (int ch : blockOutChannels) {
            if (ch <= 0 || normNumGroups <= 0 || ch % normNumGroups != 0) p.add("block_out_channels entry " + ch
                    + " is not a positive multiple of norm_num_groups " + normNumGroups);
        }
        if (inChannels <= 0 || outChannels <= 0 || latentChannels <= 0 || layersPerBlock <= 0) {
            p.add("in_channels, out_channels, latent_channels and layers_per_block must be positive");
        }
        double level = Math.log(temporalCompressionRatio) / Math.log(2);
        if (temporalCompressionRatio < 1 || Math.abs(level - Math.rint(level)) > 1e-9) {
            p.add("temporal_compression_ratio " + temporalCompressionRatio + " is not a power of two");
        }
        if (useQuantConv || usePostQuantConv) p.add("use_quant_conv / use_post_quant_conv are not used by CogVideoX");
        if (!(scalingFactor > 0)) p.add("scaling_factor must be positive");
        return p;
    }

    /** Height/width reduction of the latent grid: {@code 2^(blocks - 1)}. */
    public int spatialCompressionRatio() {
        return 1 << (blockOutChannels.size() - 1);
    }

    /** Number of leading blocks whose down/up sampler also halves/doubles time ({@code int(log2(ratio))}). */
    public int temporalCompressLevel() {
        return (int) (Math.log(temporalCompressionRatio) / Math.log(2) + 1e-9);
    }
}

package dev.cogforge.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import dev.cogforge.core.io.Checkpoints;
import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.io.TensorSource;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.vae.VaeConfig;

import dev.cogforge.core.models.cogvideox.TransformerConfig;

/**
 * The few numbers of a CogVideoX checkpoint that training decisions depend on (memory, LoRA rank limits,
 * sequence length), readable before any weights are loaded. {@code components} lists the sub-folders found
 * ({@code transformer}, {@code vae}, {@code text_encoder}, {@code tokenizer}, {@code scheduler}).
 */
public record ModelDimensions(
        String name,
        int numLayers,
        int numHeads,
        int headDim,
        int textEmbedDim,
        int timeEmbedDim,
        int inChannels,
        int outChannels,
        int patchSize,
        int patchSizeT,
        int maxTextSeqLength,
        boolean learnedPositionalEmbedding,
        long transformerParams,
        Set<String> components,
        int vaeSpatialFactor,
        long textEncoderParams,
        long vaeParams) {

    public static final Set<String> ALL_COMPONENTS = Set.of("transformer", "vae", "text_encoder", "tokenizer", "scheduler");
    /** T5 v1.1 XXL encoder (spec §1.2). */
    public static final long T5_XXL_ENCODER_PARAMS = 4_762_310_656L;
    /** CogVideoX VAE, encoder + decoder (spec §1.2). */
    public static final long VAE_PARAMS = 215_583_907L;
    public static final int VAE_SPATIAL_FACTOR = 8;
    public static final int VAE_TEMPORAL_FACTOR = 4;

    public ModelDimensions {
        components = Set.copyOf(components);
        if (vaeSpatialFactor < 1) throw new IllegalArgumentException("vaeSpatialFactor must be positive, got " + vaeSpatialFactor);
    }

    /** The released checkpoints' VAE (8x spatial) and T5-XXL text encoder. */
    public ModelDimensions(String name, int numLayers, int numHeads, int headDim, int textEmbedDim, int timeEmbedDim, int inChannels,
            int outChannels, int patchSize, int patchSizeT, int maxTextSeqLength, boolean learnedPositionalEmbedding,
            long transformerParams, Set<String> components) {
        this(name, numLayers, numHeads, headDim, textEmbedDim, timeEmbedDim, inChannels, outChannels, patchSize, patchSizeT,
                maxTextSeqLength, learnedPositionalEmbedding, transformerParams, components, VAE_SPATIAL_FACTOR,
                T5_XXL_ENCODER_PARAMS, VAE_PARAMS);
    }

    /**
     * A model folder's dimensions from its transformer config, with the VAE's own spatial factor (the demo VAE
     * compresses 4x, not 8x) and the parameter counts actually found in its {@code text_encoder} and {@code vae}.
     */
    /**
     * The dimensions of a model folder, read without loading any weight: the transformer's parameter count from its
     * declared shapes, the VAE's spatial factor from its config, and the text encoder's and VAE's parameter counts from
     * their safetensors headers.
     */
    public static ModelDimensions of(ModelFolder folder, TransformerConfig t, String variant) throws IOException {
        Set<String> parts = new HashSet<>();
        for (ModelFolder.Part p : ModelFolder.Part.values()) {
            if (p.folder() != null && Files.isDirectory(folder.partDir(p))) parts.add(p.folder());
        }
        long params;
        try (CogVideoXTransformer3D shapes = new CogVideoXTransformer3D(t)) {
            params = shapes.parameterCount();
        }
        VaeConfig vae = VaeConfig.read(folder.configFile(ModelFolder.Part.VAE));
        return of(folder.describe(), t, params, parts, vae.spatialCompressionRatio(),
                storedParameterCount(folder.partDir(ModelFolder.Part.TEXT_ENCODER), variant),
                storedParameterCount(folder.partDir(ModelFolder.Part.VAE), variant));
    }

    private static long storedParameterCount(Path partDir, String variant) throws IOException {
        try (TensorSource weights = Checkpoints.open(partDir, variant)) {
            long n = 0;
            for (String name : weights.names()) n += weights.info(name).numel();
            return n;
        }
    }

    public static ModelDimensions of(String name, TransformerConfig t, long transformerParams, Set<String> components,
            int vaeSpatialFactor, long textEncoderParams, long vaeParams) {
        return new ModelDimensions(name, t.numLayers(), t.numAttentionHeads(), t.attentionHeadDim(), t.textEmbedDim(),
                t.timeEmbedDim(), t.inChannels(), t.outChannels(), t.patchSize(), t.patchSizeT() == null ? 0 : t.patchSizeT(),
                t.maxTextSeqLength(), t.useLearnedPositionalEmbeddings(), transformerParams, components, vaeSpatialFactor,
                textEncoderParams, vaeParams);
    }

    public int innerDim() {
        return numHeads * headDim;
    }

    public boolean isFiveB() {
        return innerDim() >= 3072;
    }

    /** Parameter counts from spec §1.2. */
    public static ModelDimensions cogVideoX2b() {
        return new ModelDimensions("CogVideoX-2b", 30, 30, 64, 4096, 512, 16, 16, 2, 0, 226, false,
                1_693_783_872L, ALL_COMPONENTS);
    }

    public static ModelDimensions cogVideoX5b() {
        return new ModelDimensions("CogVideoX-5b", 42, 48, 64, 4096, 512, 16, 16, 2, 0, 226, false,
                5_570_283_072L, ALL_COMPONENTS);
    }

    public static ModelDimensions cogVideoX5bI2v() {
        return new ModelDimensions("CogVideoX-5b-I2V", 42, 48, 64, 4096, 512, 32, 16, 2, 0, 226, true,
                5_625_087_552L, ALL_COMPONENTS);
    }

    public static ModelDimensions cogVideoX15_5b() {
        return new ModelDimensions("CogVideoX1.5-5B", 42, 48, 64, 4096, 512, 16, 16, 2, 2, 226, false,
                5_570_676_352L, ALL_COMPONENTS);
    }

    /** Latent frames for a pixel frame count (causal VAE: first frame alone, then groups of 4). */
    public int latentFrames(int pixelFrames) {
        return (pixelFrames - 1) / VAE_TEMPORAL_FACTOR + 1;
    }

    /** Joint text + video token count of one sample. */
    public long sequenceLength(int frames, int height, int width) {
        int lf = latentFrames(frames);
        if (patchSizeT > 0) lf = (lf + patchSizeT - 1) / patchSizeT;
        long h = height / vaeSpatialFactor / patchSize;
        long w = width / vaeSpatialFactor / patchSize;
        return maxTextSeqLength + lf * h * w;
    }
}

package dev.cogforge.core.models.cogvideox;

import java.util.HashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.nn.Conv2d;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.Parameter;

/**
 * diffusers {@code CogVideoXPatchEmbed}: text projection, video patchify (per-frame Conv2d for 1.0, Linear over
 * (c, pt, py, px) patches for 1.5), concatenation {@code [text, video]} and the positional table (3-D sincos
 * computed for the incoming size, or the learned persistent {@code pos_embedding} of 5b-I2V).
 */
public final class PatchEmbed extends Module {
    private final TransformerConfig config;
    private final int dim;
    private final Parameter learnedPositions;
    /** Sincos tables by (frames, rows, cols); recomputed values, never part of a checkpoint. */
    private final Map<String, Tensor> sincosCache = new HashMap<>();

    public PatchEmbed(TransformerConfig config) {
        this.config = config;
        this.dim = config.innerDim();
        int p = config.patchSize();
        if (config.patchSizeT() == null) {
            child("proj", new Conv2d(config.inChannels(), dim, p, p, 0, config.patchBias()));
        } else {
            // diffusers builds the 1.5 projection as a default nn.Linear: always with bias, patch_bias is ignored
            child("proj", new Linear((long) config.inChannels() * p * p * config.patchSizeT(), dim, true));
        }
        child("text_proj", new Linear(config.textEmbedDim(), dim, true));
        if (config.useLearnedPositionalEmbeddings()) {
            if (config.patchSizeT() != null) {
                throw new IllegalArgumentException("learned positional embeddings with patch_size_t are not defined by diffusers");
            }
            learnedPositions = parameter("pos_embedding", 1, config.maxTextSeqLength() + samplePatches(), dim);
        } else {
            learnedPositions = null;
        }
    }

    private long samplePatches() {
        long rows = config.sampleHeight() / config.patchSize();
        long cols = config.sampleWidth() / config.patchSize();
        long frames = (config.sampleFrames() - 1) / config.temporalCompressionRatio() + 1;
        return rows * cols * frames;
    }

    /** @return {@code [B, L + N, D]} with the positional table added when the config asks for one */
    public Tensor forward(Tensor text, Tensor video) {
        Tensor textEmb = Ops.call(this, "text_proj", text);
        long b = video.size(0);
        long f = video.size(1);
        long c = video.size(2);
        long h = video.size(3);
        long w = video.size(4);
        int p = config.patchSize();
        Tensor videoEmb;
        if (config.patchSizeT() == null) {
            Tensor y = Ops.call(this, "proj", video.reshape(-1, c, h, w));
            y = y.view(b, f, y.size(1), y.size(2), y.size(3));
            videoEmb = y.flatten(3, 4).transpose(2, 3).flatten(1, 2);
        } else {
            int pt = config.patchSizeT();
            if (f % pt != 0) throw new IllegalArgumentException("latent frames " + f + " must be a multiple of patch_size_t " + pt + " (pad like the pipeline)");
            Tensor y = video.permute(0, 1, 3, 4, 2).reshape(b, f / pt, pt, h / p, p, w / p, p, c);
            y = y.permute(0, 1, 3, 5, 7, 2, 4, 6).flatten(4, 7).flatten(1, 3);
            videoEmb = Ops.call(this, "proj", y);
        }
        Tensor embeds = Ops.cat(1, textEmb, videoEmb).contiguous();
        if (!config.usesSincosPositions() && !config.useLearnedPositionalEmbeddings()) return embeds;
        if (config.useLearnedPositionalEmbeddings() && (config.sampleWidth() != w || config.sampleHeight() != h)) {
            throw new IllegalArgumentException("the learned positional embedding of this model (5b-I2V) only covers "
                    + config.sampleHeight() + "x" + config.sampleWidth() + " latents, got " + h + "x" + w);
        }
        if (text.size(1) != config.maxTextSeqLength()) {
            throw new IllegalArgumentException("text sequence length " + text.size(1) + " must equal max_text_seq_length "
                    + config.maxTextSeqLength() + " when a positional table is added");
        }
        long preCompressionFrames = (f - 1) * config.temporalCompressionRatio() + 1;
        Tensor positions;
        if (config.sampleHeight() != h || config.sampleWidth() != w || config.sampleFrames() != preCompressionFrames) {
            // diffusers QUIRK kept for parity: a learned table is silently replaced by sincos when only the frame count differs
            positions = sincos((int) f, (int) (h / p), (int) (w / p));
        } else if (learnedPositions != null) {
            positions = learnedPositions.get();
        } else {
            positions = sincos((int) f, (int) (h / p), (int) (w / p));
        }
        return embeds.add(positions.to(embeds.device(), embeds.scalar_type()));
    }

    private Tensor sincos(int frames, int rows, int cols) {
        String key = frames + "x" + rows + "x" + cols;
        Tensor t = sincosCache.get(key);
        if (t == null) {
            t = Embeddings.sincosTable(dim, config.maxTextSeqLength(), frames, rows, cols,
                    config.spatialInterpolationScale(), config.temporalInterpolationScale());
            t = t.to(ScalarType.Float);
            t.retainReference();
            if (sincosCache.size() >= 4) clearCache();
            sincosCache.put(key, t);
        }
        return t;
    }

    private void clearCache() {
        sincosCache.values().forEach(Tensor::releaseReference);
        sincosCache.clear();
    }

    @Override
    public void close() {
        clearCache();
        super.close();
    }
}

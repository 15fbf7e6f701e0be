package dev.cogforge.core.models.cogvideox;

import java.io.IOException;
import java.nio.file.Path;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.io.TensorSource;
import dev.cogforge.core.nn.LayerNorm;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.ModuleList;

/**
 * diffusers {@code CogVideoXTransformer3DModel} (CogVideoX 1.0 2b/5b/5b-I2V and 1.5 5B/5B-I2V). Parameter names
 * are diffusers' state-dict keys. Constructing it declares shapes only; weights come from {@link #loadStateDict}
 * or {@link #initializeRandom}.
 *
 * <p>Input latents are {@code [B, F, C, H, W]} (frames first), text {@code [B, L, text_embed_dim]}, timesteps
 * int64 {@code [B]}; the output is the v-prediction {@code [B, F, C_out, H, W]} in the weights' dtype.
 */
public final class CogVideoXTransformer3D extends Module {
    private final TransformerConfig config;
    private boolean gradientCheckpointing;
    private boolean blockwiseBackward;

    public CogVideoXTransformer3D(TransformerConfig config) {
        this.config = config;
        int d = config.innerDim();
        child("patch_embed", new PatchEmbed(config));
        child("time_embedding", new TimestepEmbedding(d, config.timeEmbedDim()));
        if (config.hasOfsEmbedding()) {
            child("ofs_embedding", new TimestepEmbedding(config.ofsEmbedDim(), config.ofsEmbedDim()));
        }
        ModuleList blocks = child("transformer_blocks", new ModuleList());
        for (int i = 0; i < config.numLayers(); i++) {
            blocks.add(new TransformerBlock(d, config.numAttentionHeads(), config.attentionHeadDim(), config.timeEmbedDim(),
                    config.dropout(), config.attentionBias(), config.normElementwiseAffine(), config.normEps()));
        }
        child("norm_final", new LayerNorm(d, config.normEps(), config.normElementwiseAffine()));
        child("norm_out", new AdaLayerNorm(config.timeEmbedDim(), 2 * d, config.normElementwiseAffine(), config.normEps()));
        int pt = config.patchSizeT() == null ? 1 : config.patchSizeT();
        child("proj_out", new Linear(d, (long) config.patchSize() * config.patchSize() * pt * config.outChannels(), true));
    }

    public static CogVideoXTransformer3D fromConfig(Path configJson) throws IOException {
        return new CogVideoXTransformer3D(TransformerConfig.read(configJson));
    }

    public TransformerConfig config() {
        return config;
    }

    /**
     * The dtype policy: float32 on CPU (CPU bf16 is far slower), bf16 on an accelerator. The sinusoid and rotary
     * tables are float32 regardless, and callers cast the model output to float32 before the scheduler math.
     */
    public static ScalarType defaultDtype(Device device) {
        return device == null || device.is_cpu() ? ScalarType.Float : ScalarType.BFloat16;
    }

    /** Strict load in {@link #defaultDtype(Device)}. */
    public void load(TensorSource source, Device device) throws IOException {
        loadStateDict(source, defaultDtype(device), device);
    }

    public void setGradientCheckpointing(boolean on) {
        if (on && config.dropout() != 0.0) {
            throw new IllegalArgumentException("gradient checkpointing with dropout " + config.dropout()
                    + " would need the random state replayed on recomputation; use dropout 0 (all CogVideoX configs do)");
        }
        gradientCheckpointing = on;
    }

    public boolean gradientCheckpointing() {
        return gradientCheckpointing;
    }

    /**
     * Without checkpointing, run the training backward block by block (no recomputation, same memory) so that it can
     * report when each block's gradients are final ({@link TrainingPass.BackwardProgress}); data-parallel training
     * turns this on to overlap the gradient all-reduce with backward. Checkpointing is block-wise anyway.
     */
    public void setBlockwiseBackward(boolean on) {
        blockwiseBackward = on;
    }

    public int numLayers() {
        return config.numLayers();
    }

    public TransformerBlock block(int i) {
        return (TransformerBlock) ((ModuleList) children().get("transformer_blocks")).get(i);
    }

    /** Everything up to the first block: the time embedding {@code temb [B, time_embed_dim]} and the two streams. */
    public record Embedded(Tensor temb, Tensor video, Tensor text) {}

    /** Plain forward (inference, or training without checkpointing: the caller calls {@code backward} on its loss). */
    public Tensor forward(Tensor hiddenStates, Tensor encoderHiddenStates, Tensor timestep, Tensor ofs,
            RotaryEmbedding.Tables rotary) {
        checkInputs(hiddenStates, encoderHiddenStates, rotary);
        Embedded e = embed(hiddenStates, encoderHiddenStates, timestep, ofs);
        Tensor video = e.video();
        Tensor text = e.text();
        for (int i = 0; i < config.numLayers(); i++) {
            TransformerBlock.Streams s = block(i).forward(video, text, e.temb(), rotary);
            video = s.video();
            text = s.text();
        }
        return head(video, e.temb(), hiddenStates);
    }

    /** Time (and ofs) embedding, patch embedding with positions, embedding dropout, split into streams. */
    public Embedded embed(Tensor hiddenStates, Tensor encoderHiddenStates, Tensor timestep, Tensor ofs) {
        ScalarType dtype = hiddenStates.scalar_type();
        Tensor tEmb = Embeddings.timestepSinusoid(timestep, config.innerDim(), config.flipSinToCos(), config.freqShift())
                .to(dtype);
        Tensor temb = ((TimestepEmbedding) children().get("time_embedding")).forward(tEmb);
        if (config.hasOfsEmbedding()) {
            if (ofs == null) throw new IllegalArgumentException("this model (CogVideoX 1.5 I2V) needs ofs (pipelines pass [2.0])");
            Tensor ofsEmb = Embeddings.timestepSinusoid(ofs.reshape(-1), config.ofsEmbedDim(), config.flipSinToCos(),
                    config.freqShift()).to(dtype);
            temb = temb.add(((TimestepEmbedding) children().get("ofs_embedding")).forward(ofsEmb));
        }
        Tensor joint = ((PatchEmbed) children().get("patch_embed")).forward(encoderHiddenStates, hiddenStates);
        joint = Ops.dropout(joint, config.dropout(), isTraining());
        Tensor[] streams = Ops.split2(joint, 1, encoderHiddenStates.size(1));
        return new Embedded(temb, streams[1], streams[0]);
    }

    /**
     * norm_final, norm_out, proj_out and unpatchify. norm_final is a per-token LayerNorm, so applying it to the video
     * tokens alone equals diffusers' 5b path (normalise [text, video], then drop the text rows).
     */
    public Tensor head(Tensor video, Tensor temb, Tensor hiddenStates) {
        long b = hiddenStates.size(0);
        long f = hiddenStates.size(1);
        long h = hiddenStates.size(3);
        long w = hiddenStates.size(4);
        int p = config.patchSize();
        Tensor x = Ops.call(this, "norm_final", video);
        x = ((AdaLayerNorm) children().get("norm_out")).forward(x, temb);
        x = Ops.call(this, "proj_out", x);
        if (config.patchSizeT() == null) {
            return x.reshape(b, f, h / p, w / p, -1, p, p).permute(0, 1, 4, 2, 5, 3, 6).flatten(5, 6).flatten(3, 4);
        }
        int pt = config.patchSizeT();
        return x.reshape(b, (f + pt - 1) / pt, h / p, w / p, -1, pt, p, p)
                .permute(0, 1, 5, 4, 2, 6, 3, 7).flatten(6, 7).flatten(4, 5).flatten(1, 2);
    }

    private void checkInputs(Tensor hiddenStates, Tensor encoderHiddenStates, RotaryEmbedding.Tables rotary) {
        if (hiddenStates.dim() != 5) throw new IllegalArgumentException("hidden_states must be [B, F, C, H, W], got " + hiddenStates.dim() + " dims");
        if (hiddenStates.size(2) != config.inChannels()) {
            throw new IllegalArgumentException("hidden_states has " + hiddenStates.size(2) + " channels, the model expects " + config.inChannels());
        }
        if (hiddenStates.size(3) % config.patchSize() != 0 || hiddenStates.size(4) % config.patchSize() != 0) {
            throw new IllegalArgumentException("latent height/width must be multiples of patch_size " + config.patchSize());
        }
        if (encoderHiddenStates.dim() != 3 || encoderHiddenStates.size(2) != config.textEmbedDim()) {
            throw new IllegalArgumentException("encoder_hidden_states must be [B, L, " + config.textEmbedDim() + "]");
        }
        if (config.useRotaryPositionalEmbeddings() && rotary == null) {
            throw new IllegalArgumentException("this model uses rotary position embeddings: pass the cos/sin tables (RotaryEmbedding.prepare)");
        }
        if (!config.useRotaryPositionalEmbeddings() && rotary != null) {
            throw new IllegalArgumentException("this model has no rotary position embeddings (use_rotary_positional_embeddings=false)");
        }
    }

    /**
     * Training forward that honours {@link #setGradientCheckpointing}: call {@link TrainingPass#backward} with the
     * loss instead of {@code loss.backward()}. Forward and backward must run inside the same {@code PointerScope}.
     */
    public TrainingPass forwardForTraining(Tensor hiddenStates, Tensor encoderHiddenStates, Tensor timestep, Tensor ofs,
            RotaryEmbedding.Tables rotary) {
        if (!gradientCheckpointing && !blockwiseBackward) {
            return TrainingPass.plain(forward(hiddenStates, encoderHiddenStates, timestep, ofs, rotary));
        }
        if (!gradientCheckpointing) {
            checkInputs(hiddenStates, encoderHiddenStates, rotary);
            return BlockwisePass.run(this, hiddenStates, encoderHiddenStates, timestep, ofs, rotary, BlockwisePass.Mode.KEEP_GRAPHS);
        }
        checkInputs(hiddenStates, encoderHiddenStates, rotary);
        return BlockwisePass.run(this, hiddenStates, encoderHiddenStates, timestep, ofs, rotary, BlockwisePass.Mode.RECOMPUTE);
    }
}

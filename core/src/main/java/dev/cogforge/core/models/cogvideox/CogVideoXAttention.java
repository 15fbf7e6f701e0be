package dev.cogforge.core.models.cogvideox;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

import dev.cogforge.core.nn.LayerNorm;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.ModuleList;

/**
 * Joint self-attention over {@code [text, video]} ({@code attn1}, diffusers {@code CogVideoXAttnProcessor2_0}):
 * per-head LayerNorm on q and k, rotary on the video part of q and k only, fused scaled-dot-product attention
 * (the S×S score matrix is never materialised by this code).
 */
public final class CogVideoXAttention extends Module {
    private final int heads;
    private final int headDim;

    public CogVideoXAttention(int dim, int heads, int headDim, boolean bias, boolean qkNormAffine) {
        this.heads = heads;
        this.headDim = headDim;
        int inner = heads * headDim;
        child("to_q", new Linear(dim, inner, bias));
        child("to_k", new Linear(dim, inner, bias));
        child("to_v", new Linear(dim, inner, bias));
        child("norm_q", new LayerNorm(headDim, 1e-6, qkNormAffine));
        child("norm_k", new LayerNorm(headDim, 1e-6, qkNormAffine));
        ModuleList out = child("to_out", new ModuleList());
        out.put(0, new Linear(inner, dim, true));
    }

    /** @return the attended {@code [B, textLen + N, D]} sequence (text rows first) */
    public Tensor forward(Tensor joint, int textLength, RotaryEmbedding.Tables rotary) {
        long batch = joint.size(0);
        long seq = joint.size(1);
        // q/k LayerNorm is per (token, head) row, so it runs on the contiguous [B, S, H, Dh] view before the
        // transpose: same values as diffusers' transpose-then-norm, without layer_norm copying a strided input
        Tensor q = Ops.call(this, "norm_q", split(Ops.call(this, "to_q", joint), batch, seq)).transpose(1, 2);
        Tensor k = Ops.call(this, "norm_k", split(Ops.call(this, "to_k", joint), batch, seq)).transpose(1, 2);
        Tensor v = split(Ops.call(this, "to_v", joint), batch, seq).transpose(1, 2);
        if (rotary != null) {
            q = rotateVideo(q, textLength, rotary);
            k = rotateVideo(k, textLength, rotary);
        }
        Tensor o = torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, false, new DoubleOptional(), false);
        o = o.transpose(1, 2).reshape(batch, seq, (long) heads * headDim);
        return Ops.call(children().get("to_out"), "0", o);
    }

    private Tensor split(Tensor x, long batch, long seq) {
        return x.view(batch, seq, heads, headDim);
    }

    private static Tensor rotateVideo(Tensor x, int textLength, RotaryEmbedding.Tables rotary) {
        long seq = x.size(2);
        long video = seq - textLength;
        if (rotary.cos().size(0) != video) {
            throw new IllegalArgumentException("rotary tables have " + rotary.cos().size(0) + " rows but the input has "
                    + video + " video tokens");
        }
        Tensor[] parts = Ops.split2(x, 2, textLength);
        return Ops.cat(2, parts[0], RotaryEmbedding.apply(parts[1], rotary));
    }
}

package dev.cogforge.core.models.cogvideox;

import org.bytedeco.pytorch.Tensor;

import dev.cogforge.core.nn.Module;

/**
 * One {@code transformer_blocks.i} (diffusers {@code CogVideoXBlock}): adaLN-zero modulated joint attention and
 * feed-forward over {@code [text, video]}, both streams updated with their own gates.
 */
public final class TransformerBlock extends Module {
    /** The video {@code [B, N, D]} and text {@code [B, L, D]} streams. */
    public record Streams(Tensor video, Tensor text) {}

    public TransformerBlock(int dim, int heads, int headDim, int timeEmbedDim, double dropout, boolean attentionBias,
            boolean normElementwiseAffine, double normEps) {
        child("norm1", new LayerNormZero(timeEmbedDim, dim, normElementwiseAffine, normEps));
        child("attn1", new CogVideoXAttention(dim, heads, headDim, attentionBias, true));
        child("norm2", new LayerNormZero(timeEmbedDim, dim, normElementwiseAffine, normEps));
        child("ff", new FeedForward(dim, 4 * dim, dropout));
    }

    public Streams forward(Tensor video, Tensor text, Tensor temb, RotaryEmbedding.Tables rotary) {
        int textLength = (int) text.size(1);
        LayerNormZero norm1 = (LayerNormZero) children().get("norm1");
        LayerNormZero norm2 = (LayerNormZero) children().get("norm2");
        CogVideoXAttention attn = (CogVideoXAttention) children().get("attn1");
        FeedForward ff = (FeedForward) children().get("ff");

        LayerNormZero.Result n1 = norm1.forward(video, text, temb);
        Tensor[] attended = Ops.split2(attn.forward(Ops.cat(1, n1.text(), n1.video()), textLength, rotary), 1, textLength);
        video = video.add(n1.gate().mul(attended[1]));
        text = text.add(n1.textGate().mul(attended[0]));

        LayerNormZero.Result n2 = norm2.forward(video, text, temb);
        Tensor[] f = Ops.split2(ff.forward(Ops.cat(1, n2.text(), n2.video())), 1, textLength);
        video = video.add(n2.gate().mul(f[1]));
        text = text.add(n2.textGate().mul(f[0]));
        return new Streams(video, text);
    }
}

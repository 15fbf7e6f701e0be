package dev.cogforge.core.engine;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Scaled dot-product attention over {@code [batch, heads, tokens, head_dim]} tensors.
 *
 * <p>{@link #sdpa} goes through libtorch's fused kernels (flash / memory-efficient on CUDA, the flash CPU kernel on
 * the CPU), which never materialise the tokens x tokens score matrix: at CogVideoX's 17,776 tokens that matrix alone is
 * 1.26 GB per head in fp32. {@link #naive} spells the same maths out and is the reference for tests and benchmarks.
 */
public final class Attention {
    private Attention() {}

    /** Attention with the default scale 1/sqrt(head_dim). */
    public static Tensor sdpa(Tensor q, Tensor k, Tensor v) {
        Engine.ensureLoaded();
        checkShapes(q, k, v);
        return torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, false, new DoubleOptional(), false);
    }

    public static Tensor sdpa(Tensor q, Tensor k, Tensor v, double scale) {
        Engine.ensureLoaded();
        checkShapes(q, k, v);
        return torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, false, new DoubleOptional(scale), false);
    }

    /** softmax(q k^T * scale) v, materialising the score matrix; differentiable through libtorch autograd. */
    public static Tensor naive(Tensor q, Tensor k, Tensor v, double scale) {
        Engine.ensureLoaded();
        checkShapes(q, k, v);
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(new Scalar(scale));
        return torch.softmax(scores, -1).matmul(v);
    }

    public static Tensor naive(Tensor q, Tensor k, Tensor v) {
        return naive(q, k, v, defaultScale(q.size(-1)));
    }

    public static double defaultScale(long headDim) {
        if (headDim <= 0) throw new IllegalArgumentException("head_dim must be positive, got " + headDim);
        return 1.0 / Math.sqrt(headDim);
    }

    private static void checkShapes(Tensor q, Tensor k, Tensor v) {
        if (q.dim() < 2 || k.dim() != q.dim() || v.dim() != q.dim()) {
            throw new IllegalArgumentException("attention needs q, k, v of equal rank >= 2, got " + shape(q) + ", "
                    + shape(k) + ", " + shape(v));
        }
        if (q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2)) {
            throw new IllegalArgumentException("attention shapes do not fit: q " + shape(q) + ", k " + shape(k) + ", v " + shape(v)
                    + " (q and k need the same head_dim, k and v the same token count)");
        }
    }

    private static String shape(Tensor t) {
        return java.util.Arrays.toString(Tensors.shape(t));
    }
}

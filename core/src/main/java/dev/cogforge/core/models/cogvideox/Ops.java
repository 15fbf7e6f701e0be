package dev.cogforge.core.models.cogvideox;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import dev.cogforge.core.nn.Layer;
import dev.cogforge.core.nn.Module;

/** Small tensor helpers shared by the CogVideoX modules. */
final class Ops {
    private Ops() {}

    static Scalar s(double v) {
        return new Scalar(v);
    }

    static Tensor cat(long dim, Tensor... parts) {
        return torch.cat(new TensorVector(parts), dim);
    }

    /**
     * Splits {@code x} along {@code dim} into a head of {@code first} rows and the rest, as views. One split op
     * instead of two narrows: its backward writes both gradients into one buffer, where two narrows each zero-fill
     * a full-size gradient and autograd then adds the two.
     */
    static Tensor[] split2(Tensor x, long dim, long first) {
        TensorVector parts = x.split(new long[] {first, x.size(dim) - first}, dim);
        return new Tensor[] {parts.get(0), parts.get(1)};
    }

    /** Looks the child up at call time so that a LoRA wrapper put in its place by an injector is the one used. */
    static Tensor call(Module parent, String child, Tensor x) {
        Module m = parent.children().get(child);
        if (!(m instanceof Layer layer)) throw new IllegalStateException("module has no layer child '" + child + "'");
        return layer.forward(x);
    }

    static Tensor dropout(Tensor x, double p, boolean training) {
        return p == 0.0 || !training ? x : torch.dropout(x, p, true);
    }
}

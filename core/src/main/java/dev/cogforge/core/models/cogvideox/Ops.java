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

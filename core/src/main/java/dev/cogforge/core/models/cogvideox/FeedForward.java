package dev.cogforge.core.models.cogvideox;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.cogforge.core.nn.Layer;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.ModuleList;

/**
 * diffusers {@code FeedForward(activation_fn="gelu-approximate")}: {@code net.0} = GELU module holding {@code proj}
 * (D→4D), {@code net.1}/{@code net.3} dropouts (no parameters), {@code net.2} = Linear 4D→D.
 */
public final class FeedForward extends Module {
    private final double dropout;

    public FeedForward(int dim, int innerDim, double dropout) {
        this.dropout = dropout;
        ModuleList net = child("net", new ModuleList());
        net.put(0, new GeluTanh(dim, innerDim));
        net.put(2, new Linear(innerDim, dim, true));
    }

    public Tensor forward(Tensor x) {
        Module net = children().get("net");
        Tensor h = Ops.call(net, "0", x);
        h = Ops.dropout(h, dropout, isTraining());
        h = Ops.call(net, "2", h);
        return Ops.dropout(h, dropout, isTraining());
    }

    /** diffusers {@code GELU(approximate="tanh")}: a projection followed by tanh-approximated GELU. */
    public static final class GeluTanh extends Module implements Layer {
        public GeluTanh(int in, int out) {
            child("proj", new Linear(in, out, true));
        }

        @Override
        public Tensor forward(Tensor x) {
            return torch.gelu(Ops.call(this, "proj", x), "tanh");
        }
    }
}

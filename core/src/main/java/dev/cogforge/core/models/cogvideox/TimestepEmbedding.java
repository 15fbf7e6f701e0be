package dev.cogforge.core.models.cogvideox;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.cogforge.core.nn.Layer;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;

/** diffusers {@code TimestepEmbedding}: {@code linear_2(SiLU(linear_1(x)))}. */
public final class TimestepEmbedding extends Module implements Layer {
    public TimestepEmbedding(int inChannels, int timeEmbedDim) {
        child("linear_1", new Linear(inChannels, timeEmbedDim, true));
        child("linear_2", new Linear(timeEmbedDim, timeEmbedDim, true));
    }

    @Override
    public Tensor forward(Tensor x) {
        return Ops.call(this, "linear_2", torch.silu(Ops.call(this, "linear_1", x)));
    }
}

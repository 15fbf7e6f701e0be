package dev.cogforge.core.models.vae;

import dev.cogforge.core.nn.Module;

import org.bytedeco.pytorch.Tensor;

/** {@code CogVideoXMidBlock3D}: two same-width resnets (spatially normed in the decoder). */
public final class MidBlock3D extends Module {
    private final ModuleList<ResnetBlock3D> resnets;

    public MidBlock3D(long channels, long groups, double eps, long zqChannels) {
        resnets = child("resnets", new ModuleList<>());
        for (int i = 0; i < 2; i++) resnets.add(new ResnetBlock3D(channels, channels, groups, eps, zqChannels));
    }

    public Tensor forward(Tensor x, Tensor zq, ConvCache cache) {
        for (ResnetBlock3D r : resnets.items()) x = r.forward(x, zq, cache);
        return x;
    }
}

package dev.cogforge.core.models.vae;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.ModuleList;

import org.bytedeco.pytorch.Tensor;

/** {@code CogVideoXMidBlock3D}: two same-width resnets (spatially normed in the decoder). */
public final class MidBlock3D extends Module {
    private final List<ResnetBlock3D> resnets = new ArrayList<>();

    public MidBlock3D(long channels, long groups, double eps, long zqChannels) {
        ModuleList resnetList = child("resnets", new ModuleList());
        for (int i = 0; i < 2; i++) resnets.add(resnetList.add(new ResnetBlock3D(channels, channels, groups, eps, zqChannels)));
    }

    public Tensor forward(Tensor x, Tensor zq, ConvCache cache) {
        for (ResnetBlock3D r : resnets) x = r.forward(x, zq, cache);
        return x;
    }
}

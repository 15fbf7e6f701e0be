package dev.cogforge.core.models.vae;

import dev.cogforge.core.nn.Module;

import org.bytedeco.pytorch.Tensor;

/** {@code CogVideoXUpBlock3D}: spatially-normed resnets, then (except in the last block) an {@link Upsample3D}. */
public final class UpBlock3D extends Module {
    private final ModuleList<ResnetBlock3D> resnets;
    private final Upsample3D upsampler;

    public UpBlock3D(long in, long out, int layers, long groups, double eps, long zqChannels, boolean addUpsample,
            boolean compressTime) {
        resnets = child("resnets", new ModuleList<>());
        for (int i = 0; i < layers; i++) resnets.add(new ResnetBlock3D(i == 0 ? in : out, out, groups, eps, zqChannels));
        if (addUpsample) {
            ModuleList<Upsample3D> list = child("upsamplers", new ModuleList<>());
            list.add(new Upsample3D(out, compressTime));
            upsampler = list.items().get(0);
        } else {
            upsampler = null;
        }
    }

    public Tensor forward(Tensor x, Tensor zq, ConvCache cache) {
        for (ResnetBlock3D r : resnets.items()) x = r.forward(x, zq, cache);
        return upsampler == null ? x : upsampler.forward(x);
    }
}

package dev.cogforge.core.models.vae;

import dev.cogforge.core.nn.Module;

import org.bytedeco.pytorch.Tensor;

/** {@code CogVideoXDownBlock3D}: resnets, then (except in the last block) a {@link Downsample3D}. */
public final class DownBlock3D extends Module {
    private final ModuleList<ResnetBlock3D> resnets;
    private final Downsample3D downsampler;

    public DownBlock3D(long in, long out, int layers, long groups, double eps, boolean addDownsample, boolean compressTime) {
        resnets = child("resnets", new ModuleList<>());
        for (int i = 0; i < layers; i++) resnets.add(new ResnetBlock3D(i == 0 ? in : out, out, groups, eps, 0));
        if (addDownsample) {
            ModuleList<Downsample3D> list = child("downsamplers", new ModuleList<>());
            list.add(new Downsample3D(out, compressTime));
            downsampler = list.items().get(0);
        } else {
            downsampler = null;
        }
    }

    public Tensor forward(Tensor x, ConvCache cache) {
        for (ResnetBlock3D r : resnets.items()) x = r.forward(x, null, cache);
        return downsampler == null ? x : downsampler.forward(x);
    }
}

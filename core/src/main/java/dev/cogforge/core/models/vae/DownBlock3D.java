package dev.cogforge.core.models.vae;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.ModuleList;

import org.bytedeco.pytorch.Tensor;

/** {@code CogVideoXDownBlock3D}: resnets, then (except in the last block) a {@link Downsample3D}. */
public final class DownBlock3D extends Module {
    private final List<ResnetBlock3D> resnets = new ArrayList<>();
    private final Downsample3D downsampler;

    public DownBlock3D(long in, long out, int layers, long groups, double eps, boolean addDownsample, boolean compressTime) {
        ModuleList resnetList = child("resnets", new ModuleList());
        for (int i = 0; i < layers; i++) resnets.add(resnetList.add(new ResnetBlock3D(i == 0 ? in : out, out, groups, eps, 0)));
        if (addDownsample) {
            downsampler = child("downsamplers", new ModuleList()).add(new Downsample3D(out, compressTime));
        } else {
            downsampler = null;
        }
    }

    public Tensor forward(Tensor x, ConvCache cache) {
        for (ResnetBlock3D r : resnets) x = r.forward(x, null, cache);
        return downsampler == null ? x : downsampler.forward(x);
    }
}

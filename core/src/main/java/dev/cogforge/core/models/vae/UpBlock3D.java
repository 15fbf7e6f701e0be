package dev.cogforge.core.models.vae;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.ModuleList;

import org.bytedeco.pytorch.Tensor;

/** {@code CogVideoXUpBlock3D}: spatially-normed resnets, then (except in the last block) an {@link Upsample3D}. */
public final class UpBlock3D extends Module {
    private final List<ResnetBlock3D> resnets = new ArrayList<>();
    private final Upsample3D upsampler;

    public UpBlock3D(long in, long out, int layers, long groups, double eps, long zqChannels, boolean addUpsample,
            boolean compressTime) {
        ModuleList resnetList = child("resnets", new ModuleList());
        for (int i = 0; i < layers; i++) resnets.add(resnetList.add(new ResnetBlock3D(i == 0 ? in : out, out, groups, eps, zqChannels)));
        if (addUpsample) {
            upsampler = child("upsamplers", new ModuleList()).add(new Upsample3D(out, compressTime));
        } else {
            upsampler = null;
        }
    }

    public Tensor forward(Tensor x, Tensor zq, ConvCache cache) {
        for (ResnetBlock3D r : resnets) x = r.forward(x, zq, cache);
        return upsampler == null ? x : upsampler.forward(x);
    }
}

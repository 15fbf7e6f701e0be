package dev.cogforge.core.models.vae;

import dev.cogforge.core.nn.Conv3d;
import dev.cogforge.core.nn.GroupNorm;
import dev.cogforge.core.nn.Module;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code CogVideoXResnetBlock3D} without time embedding: norm, SiLU, causal conv, twice, plus a 1x1x1 shortcut
 * when the channel count changes. Encoder blocks use plain group norms; decoder blocks ({@code zqChannels > 0})
 * use {@link SpatialNorm3D} conditioned on the latent chunk.
 */
public final class ResnetBlock3D extends Module {
    private final GroupNorm groupNorm1;
    private final GroupNorm groupNorm2;
    private final SpatialNorm3D spatialNorm1;
    private final SpatialNorm3D spatialNorm2;
    private final CausalConv3d conv1;
    private final CausalConv3d conv2;
    private final Conv3d convShortcut;

    public ResnetBlock3D(long in, long out, long groups, double eps, long zqChannels) {
        boolean spatial = zqChannels > 0;
        this.groupNorm1 = spatial ? null : child("norm1", new GroupNorm(groups, in, eps, true));
        this.spatialNorm1 = spatial ? child("norm1", new SpatialNorm3D(in, zqChannels, groups)) : null;
        this.conv1 = child("conv1", new CausalConv3d(in, out, 3));
        this.groupNorm2 = spatial ? null : child("norm2", new GroupNorm(groups, out, eps, true));
        this.spatialNorm2 = spatial ? child("norm2", new SpatialNorm3D(out, zqChannels, groups)) : null;
        this.conv2 = child("conv2", new CausalConv3d(out, out, 3));
        this.convShortcut = in != out
                ? child("conv_shortcut", new Conv3d(in, out, new long[] {1, 1, 1}, new long[] {1, 1, 1}, new long[] {0, 0, 0}, true))
                : null;
    }

    /** {@code zq} is the decoder's latent chunk, null in the encoder. */
    public Tensor forward(Tensor x, Tensor zq, ConvCache cache) {
        Tensor h = groupNorm1 != null ? groupNorm1.forward(x) : spatialNorm1.forward(x, zq, cache);
        h = conv1.forward(torch.silu(h), cache);
        h = groupNorm2 != null ? groupNorm2.forward(h) : spatialNorm2.forward(h, zq, cache);
        h = conv2.forward(torch.silu(h), cache);
        Tensor shortcut = convShortcut != null ? convShortcut.forward(x) : x;
        return h.add(shortcut);
    }
}

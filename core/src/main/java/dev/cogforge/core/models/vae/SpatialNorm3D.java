package dev.cogforge.core.models.vae;

import dev.cogforge.core.nn.GroupNorm;
import dev.cogforge.core.nn.Module;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code CogVideoXSpatialNorm3D}: group norm whose scale and shift are 1x1x1 convolutions of the latent chunk zq,
 * resized (nearest) to the feature map. With an odd frame count the first latent frame is resized on its own, so
 * the causal first frame stays aligned with the first output frame.
 */
public final class SpatialNorm3D extends Module {
    private final GroupNorm normLayer;
    private final CausalConv3d convY;
    private final CausalConv3d convB;

    public SpatialNorm3D(long featureChannels, long zqChannels, long groups) {
        this.normLayer = child("norm_layer", new GroupNorm(groups, featureChannels, 1e-6, true));
        this.convY = child("conv_y", new CausalConv3d(zqChannels, featureChannels, 1));
        this.convB = child("conv_b", new CausalConv3d(zqChannels, featureChannels, 1));
    }

    public Tensor forward(Tensor f, Tensor zq, ConvCache cache) {
        long t = f.size(2), h = f.size(3), w = f.size(4);
        Tensor resized;
        if (t > 1 && t % 2 == 1) {
            Tensor first = nearest(zq.narrow(2, 0, 1), 1, h, w);
            Tensor rest = nearest(zq.narrow(2, 1, zq.size(2) - 1), t - 1, h, w);
            resized = torch.cat(new TensorVector(first, rest), 2);
        } else {
            resized = nearest(zq, t, h, w);
        }
        Tensor y = convY.forward(resized, cache);
        Tensor b = convB.forward(resized, cache);
        return normLayer.forward(f).mul(y).add(b);
    }

    /** {@code F.interpolate(x, size=(t, h, w))}: nearest with source index floor(i * in / out). */
    static Tensor nearest(Tensor x, long t, long h, long w) {
        return torch.upsample_nearest3d(x, new long[] {t, h, w}, new DoubleOptional(), new DoubleOptional(), new DoubleOptional());
    }
}

package dev.cogforge.core.models.vae;

import dev.cogforge.core.nn.Conv2d;
import dev.cogforge.core.nn.Module;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code CogVideoXUpsample3D}: nearest x2 in space (and in time when compressing time; with an odd frame count
 * frame 0 is only enlarged, the mirror of {@link Downsample3D}), then a 3x3 conv per frame.
 */
public final class Upsample3D extends Module {
    private final boolean compressTime;
    private final Conv2d conv;

    public Upsample3D(long channels, boolean compressTime) {
        this.compressTime = compressTime;
        this.conv = child("conv", new Conv2d(channels, channels, 3, 1, 1, true));
    }

    public Tensor forward(Tensor x) {
        long t = x.size(2), h = x.size(3), w = x.size(4);
        if (compressTime && t > 1 && t % 2 == 1) {
            Tensor first = SpatialNorm3D.nearest(x.narrow(2, 0, 1), 1, 2 * h, 2 * w);
            Tensor rest = SpatialNorm3D.nearest(x.narrow(2, 1, t - 1), 2 * (t - 1), 2 * h, 2 * w);
            x = torch.cat(new TensorVector(first, rest), 2);
        } else if (compressTime && t > 1) {
            x = SpatialNorm3D.nearest(x, 2 * t, 2 * h, 2 * w);
        } else {
            x = SpatialNorm3D.nearest(x, t, 2 * h, 2 * w);
        }
        long b = x.size(0), c = x.size(1);
        t = x.size(2);
        Tensor frames = x.permute(0, 2, 1, 3, 4).reshape(b * t, c, x.size(3), x.size(4));
        Tensor y = conv.forward(frames);
        return y.reshape(b, t, y.size(1), y.size(2), y.size(3)).permute(0, 2, 1, 3, 4);
    }
}

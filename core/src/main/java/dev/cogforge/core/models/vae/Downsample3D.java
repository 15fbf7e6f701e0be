package dev.cogforge.core.models.vae;

import dev.cogforge.core.nn.Conv2d;
import dev.cogforge.core.nn.Module;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code CogVideoXDownsample3D}: optional time halving by averaging frame pairs (an odd count keeps frame 0 on its
 * own, which is what keeps the first frame causal), then a stride-2 3x3 conv per frame after padding right/bottom.
 */
public final class Downsample3D extends Module {
    private final boolean compressTime;
    private final Conv2d conv;

    public Downsample3D(long channels, boolean compressTime) {
        this.compressTime = compressTime;
        this.conv = child("conv", new Conv2d(channels, channels, 3, 2, 0, true));
    }

    public Tensor forward(Tensor x) {
        if (compressTime) {
            long b = x.size(0), c = x.size(1), t = x.size(2), h = x.size(3), w = x.size(4);
            Tensor seq = x.permute(0, 3, 4, 1, 2).reshape(b * h * w, c, t);
            if (t % 2 == 1) {
                Tensor first = seq.narrow(2, 0, 1);
                Tensor rest = seq.narrow(2, 1, t - 1);
                seq = t > 1 ? torch.cat(new TensorVector(first, pairMean(rest)), 2) : first;
            } else {
                seq = pairMean(seq);
            }
            x = seq.reshape(b, h, w, c, seq.size(2)).permute(0, 3, 4, 1, 2);
        }
        x = torch.constant_pad_nd(x, new long[] {0, 1, 0, 1}, new org.bytedeco.pytorch.Scalar(0.0));
        long b = x.size(0), c = x.size(1), t = x.size(2);
        Tensor frames = x.permute(0, 2, 1, 3, 4).reshape(b * t, c, x.size(3), x.size(4));
        Tensor y = conv.forward(frames);
        return y.reshape(b, t, y.size(1), y.size(2), y.size(3)).permute(0, 2, 1, 3, 4);
    }

    private static Tensor pairMean(Tensor seq) {
        return torch.avg_pool1d(seq, new long[] {2}, new long[] {2}, new long[] {0}, false, true);
    }
}

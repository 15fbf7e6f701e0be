package dev.cogforge.core.models.vae;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.nn.Conv3d;
import dev.cogforge.core.nn.Module;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code CogVideoXCausalConv3d} with CogVideoX's "first" pad mode: time is padded only at the front, with the
 * previous chunk's last {@code k-1} input frames when a cache is given, else with copies of the first frame, so
 * frame t never sees frames after t. Height and width get zero padding inside the convolution.
 */
public final class CausalConv3d extends Module {
    /** diffusers' CogVideoXSafeConv3d threshold: inputs above 2 GiB (counted at 2 bytes per value) run in time slices. */
    private static final double SAFE_CONV_GIB = 2.0;

    private final int timeKernel;
    private final Conv3d conv;

    public CausalConv3d(long in, long out, int kernel) {
        this.timeKernel = kernel;
        int pad = (kernel - 1) / 2;
        this.conv = child("conv", new Conv3d(in, out, new long[] {kernel, kernel, kernel}, new long[] {1, 1, 1},
                new long[] {0, pad, pad}, true));
    }

    public Tensor forward(Tensor x, ConvCache cache) {
        Tensor padded = x;
        if (timeKernel > 1) {
            int front = timeKernel - 1;
            Tensor previous = cache == null ? null : cache.get(this);
            List<Tensor> parts = new ArrayList<>();
            if (previous != null) {
                parts.add(previous);
            } else {
                Tensor first = x.narrow(2, 0, 1);
                for (int i = 0; i < front; i++) parts.add(first);
            }
            parts.add(x);
            padded = torch.cat(new TensorVector(parts.toArray(Tensor[]::new)), 2);
            if (cache != null) cache.put(this, padded.narrow(2, padded.size(2) - front, front).clone());
        }
        return safeConv(padded);
    }

    /** Same result as one convolution; bounds the im2col workspace for very long / large inputs like diffusers. */
    private Tensor safeConv(Tensor input) {
        double gib = (double) input.numel() * 2 / (1024.0 * 1024 * 1024);
        if (gib <= SAFE_CONV_GIB) return conv.forward(input);
        int parts = (int) (gib / 2) + 1;
        TensorVector chunks = input.chunk(parts, 2);
        List<Tensor> outs = new ArrayList<>();
        Tensor prev = null;
        for (long i = 0; i < chunks.size(); i++) {
            Tensor c = chunks.get(i);
            Tensor in = c;
            if (prev != null && timeKernel > 1) {
                in = torch.cat(new TensorVector(prev.narrow(2, prev.size(2) - (timeKernel - 1), timeKernel - 1), c), 2);
            }
            outs.add(conv.forward(in));
            prev = c;
        }
        return torch.cat(new TensorVector(outs.toArray(Tensor[]::new)), 2);
    }
}

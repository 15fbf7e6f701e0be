package dev.cogforge.core.models.vae;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.nn.GroupNorm;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.ModuleList;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** {@code CogVideoXEncoder3D}: pixels {@code [B, C, T, H, W]} to moments {@code [B, 2*latent, T', H/s, W/s]}. */
public final class Encoder extends Module {
    private final CausalConv3d convIn;
    private final List<DownBlock3D> downBlocks = new ArrayList<>();
    private final MidBlock3D midBlock;
    private final GroupNorm normOut;
    private final CausalConv3d convOut;

    public Encoder(VaeConfig c) {
        List<Integer> ch = c.blockOutChannels();
        convIn = child("conv_in", new CausalConv3d(c.inChannels(), ch.get(0), 3));
        ModuleList downBlockList = child("down_blocks", new ModuleList());
        int out = ch.get(0);
        for (int i = 0; i < ch.size(); i++) {
            int in = out;
            out = ch.get(i);
            boolean last = i == ch.size() - 1;
            downBlocks.add(downBlockList.add(new DownBlock3D(in, out, c.layersPerBlock(), c.normNumGroups(), c.normEps(), !last,
                    i < c.temporalCompressLevel())));
        }
        int top = ch.get(ch.size() - 1);
        midBlock = child("mid_block", new MidBlock3D(top, c.normNumGroups(), c.normEps(), 0));
        normOut = child("norm_out", new GroupNorm(c.normNumGroups(), top, 1e-6, true));
        convOut = child("conv_out", new CausalConv3d(top, 2L * c.latentChannels(), 3));
    }

    /** One temporal chunk; {@code cache} carries the causal context from the previous chunk and is updated. */
    public Tensor forward(Tensor x, ConvCache cache) {
        Tensor h = convIn.forward(x, cache);
        for (DownBlock3D b : downBlocks) h = b.forward(h, cache);
        h = midBlock.forward(h, null, cache);
        h = torch.silu(normOut.forward(h));
        return convOut.forward(h, cache);
    }
}

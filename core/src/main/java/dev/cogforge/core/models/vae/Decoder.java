package dev.cogforge.core.models.vae;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.ModuleList;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** {@code CogVideoXDecoder3D}: latents {@code [B, latent, T', h, w]} (already unscaled) to pixels. */
public final class Decoder extends Module {
    private final CausalConv3d convIn;
    private final MidBlock3D midBlock;
    private final List<UpBlock3D> upBlocks = new ArrayList<>();
    private final SpatialNorm3D normOut;
    private final CausalConv3d convOut;

    public Decoder(VaeConfig c) {
        List<Integer> ch = c.blockOutChannels().reversed();
        long zq = c.latentChannels();
        convIn = child("conv_in", new CausalConv3d(zq, ch.get(0), 3));
        midBlock = child("mid_block", new MidBlock3D(ch.get(0), c.normNumGroups(), c.normEps(), zq));
        ModuleList upBlockList = child("up_blocks", new ModuleList());
        int out = ch.get(0);
        for (int i = 0; i < ch.size(); i++) {
            int in = out;
            out = ch.get(i);
            boolean last = i == ch.size() - 1;
            upBlocks.add(upBlockList.add(new UpBlock3D(in, out, c.layersPerBlock() + 1, c.normNumGroups(), c.normEps(), zq, !last,
                    i < c.temporalCompressLevel())));
        }
        int bottom = ch.get(ch.size() - 1);
        normOut = child("norm_out", new SpatialNorm3D(bottom, zq, c.normNumGroups()));
        convOut = child("conv_out", new CausalConv3d(bottom, c.outChannels(), 3));
    }

    /** One temporal chunk of latents; every spatial norm is conditioned on this same chunk. */
    public Tensor forward(Tensor z, ConvCache cache) {
        Tensor h = convIn.forward(z, cache);
        h = midBlock.forward(h, z, cache);
        for (UpBlock3D b : upBlocks) h = b.forward(h, z, cache);
        h = torch.silu(normOut.forward(h, z, cache));
        return convOut.forward(h, cache);
    }
}

package dev.cogforge.core.models.cogvideox;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;

/**
 * Plain autograd cut at block boundaries: every block runs with autograd on, from detached copies of its inputs, and
 * keeps its graph (the same memory as an uncut forward, no recomputation). {@link #backward} then walks the blocks in
 * reverse with one vector-Jacobian product each, so it knows when a block's parameter gradients are final — what
 * overlapping the data-parallel all-reduce with backward needs when gradient checkpointing is off.
 */
final class SegmentedPass implements TrainingPass {
    private final CogVideoXTransformer3D.Embedded embedded;
    private final Tensor tembLeaf;
    private final List<BlockwiseBackward.BlockGraph> segments = new ArrayList<>();
    private final Tensor lastVideoLeaf;
    private final Tensor output;
    private boolean done;

    private SegmentedPass(CogVideoXTransformer3D model, Tensor hiddenStates, Tensor encoderHiddenStates, Tensor timestep,
            Tensor ofs, RotaryEmbedding.Tables rotary) {
        this.embedded = model.embed(hiddenStates, encoderHiddenStates, timestep, ofs);
        this.tembLeaf = embedded.temb().detach().requires_grad_(true);
        Tensor video = embedded.video();
        Tensor text = embedded.text();
        for (int i = 0; i < model.numLayers(); i++) {
            Tensor videoIn = video.detach().requires_grad_(true);
            Tensor textIn = text.detach().requires_grad_(true);
            TransformerBlock.Streams s = model.block(i).forward(videoIn, textIn, tembLeaf, rotary);
            segments.add(new BlockwiseBackward.BlockGraph(videoIn, textIn, s.video(), s.text()));
            video = s.video();
            text = s.text();
        }
        lastVideoLeaf = video.detach().requires_grad_(true);
        output = model.head(lastVideoLeaf, tembLeaf, hiddenStates);
    }

    static SegmentedPass run(CogVideoXTransformer3D model, Tensor hiddenStates, Tensor encoderHiddenStates,
            Tensor timestep, Tensor ofs, RotaryEmbedding.Tables rotary) {
        return new SegmentedPass(model, hiddenStates, encoderHiddenStates, timestep, ofs, rotary);
    }

    @Override
    public Tensor output() {
        return output;
    }

    @Override
    public void backward(Tensor loss) {
        backward(loss, null);
    }

    @Override
    public void backward(Tensor loss, BackwardProgress progress) {
        if (done) throw new IllegalStateException("backward was already called for this pass");
        done = true;
        BlockwiseBackward.run(loss, progress, lastVideoLeaf, segments.size(), segments::get, embedded, tembLeaf);
    }
}

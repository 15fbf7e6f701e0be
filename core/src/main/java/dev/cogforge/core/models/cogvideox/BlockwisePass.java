package dev.cogforge.core.models.cogvideox;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A training forward whose backward runs block by block, by hand: the loss into the head, then one vector-Jacobian
 * product per transformer block from the last to the first ({@code torch::autograd::backward(outputs, grads)}, which
 * also accumulates that block's parameter gradients), then into the embeddings — reporting when each part's
 * gradients are final, which lets data-parallel training overlap its all-reduce with the rest of backward.
 *
 * <ul>
 * <li>{@link Mode#RECOMPUTE} is activation checkpointing (libtorch's C++ API has no checkpoint function): the blocks
 * run without autograd keeping only their inputs, and backward recomputes one block at a time with autograd on.</li>
 * <li>{@link Mode#KEEP_GRAPHS} runs every block with autograd from detached copies of its inputs and keeps its graph:
 * the memory of plain autograd, no recomputation, only the block boundaries added.</li>
 * </ul>
 * The embedding and head graphs are kept normally (they are small).
 */
final class BlockwisePass implements TrainingPass {
    enum Mode { RECOMPUTE, KEEP_GRAPHS }

    /** A block's graph: detached inputs that require grad, and the outputs computed from them. */
    private record BlockGraph(Tensor videoIn, Tensor textIn, Tensor videoOut, Tensor textOut) {}

    private final CogVideoXTransformer3D model;
    private final RotaryEmbedding.Tables rotary;
    private final Mode mode;
    private final CogVideoXTransformer3D.Embedded embedded;
    private final Tensor tembLeaf;
    /** RECOMPUTE: each block's inputs (outputs unset); KEEP_GRAPHS: each block's whole graph. */
    private final List<BlockGraph> blocks = new ArrayList<>();
    private final Tensor lastVideoLeaf;
    private final Tensor output;
    private boolean done;

    private BlockwisePass(CogVideoXTransformer3D model, Tensor hiddenStates, Tensor encoderHiddenStates, Tensor timestep,
            Tensor ofs, RotaryEmbedding.Tables rotary, Mode mode) {
        this.model = model;
        this.rotary = rotary;
        this.mode = mode;
        this.embedded = model.embed(hiddenStates, encoderHiddenStates, timestep, ofs);
        this.tembLeaf = embedded.temb().detach().requires_grad_(true);
        Tensor video = embedded.video().detach();
        Tensor text = embedded.text().detach();
        try (NoGradGuard off = mode == Mode.RECOMPUTE ? new NoGradGuard() : null) {
            for (int i = 0; i < model.numLayers(); i++) {
                Tensor videoIn = mode == Mode.RECOMPUTE ? video : video.detach().requires_grad_(true);
                Tensor textIn = mode == Mode.RECOMPUTE ? text : text.detach().requires_grad_(true);
                TransformerBlock.Streams s = model.block(i).forward(videoIn, textIn, tembLeaf, rotary);
                blocks.add(mode == Mode.RECOMPUTE ? new BlockGraph(videoIn, textIn, null, null)
                        : new BlockGraph(videoIn, textIn, s.video(), s.text()));
                video = s.video();
                text = s.text();
            }
        }
        lastVideoLeaf = video.detach().requires_grad_(true);
        output = model.head(lastVideoLeaf, tembLeaf, hiddenStates);
    }

    static BlockwisePass run(CogVideoXTransformer3D model, Tensor hiddenStates, Tensor encoderHiddenStates,
            Tensor timestep, Tensor ofs, RotaryEmbedding.Tables rotary, Mode mode) {
        return new BlockwisePass(model, hiddenStates, encoderHiddenStates, timestep, ofs, rotary, mode);
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
        loss.backward();
        if (progress != null) progress.headDone();
        Tensor gradVideo = lastVideoLeaf.grad();
        Tensor gradText = null; // the head reads only the video stream
        for (int i = blocks.size() - 1; i >= 0; i--) {
            BlockGraph g = graphOf(i);
            TensorVector outs = new TensorVector();
            TensorVector grads = new TensorVector();
            addIfDefined(outs, grads, g.videoOut(), gradVideo);
            addIfDefined(outs, grads, g.textOut(), gradText);
            if (outs.size() > 0) torch.backward(outs, grads, new BoolOptional(false), false, new TensorVector());
            gradVideo = g.videoIn().grad();
            gradText = g.textIn().grad();
            if (progress != null) progress.blockDone(i);
        }
        TensorVector outs = new TensorVector();
        TensorVector grads = new TensorVector();
        if (embedded.temb().requires_grad()) addIfDefined(outs, grads, embedded.temb(), tembLeaf.grad());
        if (embedded.video().requires_grad()) addIfDefined(outs, grads, embedded.video(), gradVideo);
        if (embedded.text().requires_grad()) addIfDefined(outs, grads, embedded.text(), gradText);
        if (outs.size() > 0) torch.backward(outs, grads, new BoolOptional(false), false, new TensorVector());
    }

    private BlockGraph graphOf(int i) {
        BlockGraph saved = blocks.get(i);
        if (mode == Mode.KEEP_GRAPHS) return saved;
        Tensor videoIn = saved.videoIn().detach().requires_grad_(true);
        Tensor textIn = saved.textIn().detach().requires_grad_(true);
        TransformerBlock.Streams s = model.block(i).forward(videoIn, textIn, tembLeaf, rotary);
        return new BlockGraph(videoIn, textIn, s.video(), s.text());
    }

    private static void addIfDefined(TensorVector outs, TensorVector grads, Tensor out, Tensor grad) {
        if (grad != null && grad.defined() && out.requires_grad()) {
            outs.push_back(out);
            grads.push_back(grad);
        }
    }
}

package dev.cogforge.core.models.cogvideox;

import java.util.function.IntFunction;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The backward walk shared by the block-wise training passes: the loss into the head, then one vector-Jacobian product
 * per block from the last to the first, then into the embeddings — reporting when each part's gradients are final.
 * Where a block's graph comes from (recomputed, or kept from the forward) is the caller's {@code blockGraph}.
 */
final class BlockwiseBackward {
    /** A block's graph: detached inputs that require grad, and the outputs computed from them. */
    record BlockGraph(Tensor videoIn, Tensor textIn, Tensor videoOut, Tensor textOut) {}

    private BlockwiseBackward() {}

    static void run(Tensor loss, TrainingPass.BackwardProgress progress, Tensor lastVideoLeaf, int blocks,
            IntFunction<BlockGraph> blockGraph, CogVideoXTransformer3D.Embedded embedded, Tensor tembLeaf) {
        loss.backward();
        if (progress != null) progress.headDone();
        Tensor gradVideo = lastVideoLeaf.grad();
        Tensor gradText = null; // the head reads only the video stream
        for (int i = blocks - 1; i >= 0; i--) {
            BlockGraph g = blockGraph.apply(i);
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

    private static void addIfDefined(TensorVector outs, TensorVector grads, Tensor out, Tensor grad) {
        if (grad != null && grad.defined() && out.requires_grad()) {
            outs.push_back(out);
            grads.push_back(grad);
        }
    }
}

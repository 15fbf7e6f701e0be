package dev.cogforge.core.models.cogvideox;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Per-block activation checkpointing done by hand, because libtorch's C++ API offers no checkpoint function: the
 * blocks run without autograd keeping only each block's inputs; {@link #backward} walks the blocks in reverse,
 * recomputes one block with autograd on, and pushes the incoming gradient through it with a vector-Jacobian product
 * ({@code torch::autograd::backward(outputs, grads)}), which also accumulates that block's parameter gradients.
 * The embedding and head graphs are kept normally (they are small).
 */
final class CheckpointedPass implements TrainingPass {
    private final CogVideoXTransformer3D model;
    private final RotaryEmbedding.Tables rotary;
    private final CogVideoXTransformer3D.Embedded embedded;
    private final Tensor tembLeaf;
    private final List<Tensor> savedVideo = new ArrayList<>();
    private final List<Tensor> savedText = new ArrayList<>();
    private final Tensor lastVideoLeaf;
    private final Tensor output;
    private boolean done;

    private CheckpointedPass(CogVideoXTransformer3D model, Tensor hiddenStates, Tensor encoderHiddenStates, Tensor timestep,
            Tensor ofs, RotaryEmbedding.Tables rotary) {
        this.model = model;
        this.rotary = rotary;
        this.embedded = model.embed(hiddenStates, encoderHiddenStates, timestep, ofs);
        this.tembLeaf = embedded.temb().detach().requires_grad_(true);
        Tensor video = embedded.video().detach();
        Tensor text = embedded.text().detach();
        try (NoGradGuard off = new NoGradGuard()) {
            for (int i = 0; i < model.numLayers(); i++) {
                savedVideo.add(video);
                savedText.add(text);
                TransformerBlock.Streams s = model.block(i).forward(video, text, tembLeaf, rotary);
                video = s.video();
                text = s.text();
            }
        }
        lastVideoLeaf = video.detach().requires_grad_(true);
        output = model.head(lastVideoLeaf, tembLeaf, hiddenStates);
    }

    static CheckpointedPass run(CogVideoXTransformer3D model, Tensor hiddenStates, Tensor encoderHiddenStates,
            Tensor timestep, Tensor ofs, RotaryEmbedding.Tables rotary) {
        return new CheckpointedPass(model, hiddenStates, encoderHiddenStates, timestep, ofs, rotary);
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
        BlockwiseBackward.run(loss, progress, lastVideoLeaf, model.numLayers(), i -> {
            Tensor videoIn = savedVideo.get(i).detach().requires_grad_(true);
            Tensor textIn = savedText.get(i).detach().requires_grad_(true);
            TransformerBlock.Streams s = model.block(i).forward(videoIn, textIn, tembLeaf, rotary);
            return new BlockwiseBackward.BlockGraph(videoIn, textIn, s.video(), s.text());
        }, embedded, tembLeaf);
    }
}

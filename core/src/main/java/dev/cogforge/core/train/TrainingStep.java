package dev.cogforge.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.RotaryEmbedding;
import dev.cogforge.core.models.cogvideox.TrainingPass;
import dev.cogforge.core.schedulers.TrainingNoise;
import dev.cogforge.core.train.optim.ClipGrad;
import dev.cogforge.core.train.optim.NamedParam;
import dev.cogforge.core.train.optim.Optimizer;

/**
 * One cogvideox-factory optimizer step on cached inputs (spec §7.3/§7.4), split into the three phases the trainer
 * interleaves with gradient accumulation: {@link #accumulate} (add_noise → transformer → x̂0 → 1/(1−ᾱ)-weighted MSE →
 * backward, once per micro-batch), {@link #clipGradients} and {@link #update}. The {@code lora-train-step} fixture runs
 * this same class, so parity there is parity of the trainer.
 */
public final class TrainingStep {
    /**
     * What one micro-batch feeds the model. Latents are clean {@code x0 [B, F, C, h, w]} (already scaled);
     * {@code imageLatents} (I2V, else null) has the same shape and is concatenated on channels after noising;
     * {@code ofs} is null unless the model has an ofs embedding; {@code rotary} null unless it uses RoPE.
     */
    public record Inputs(Tensor latents, Tensor promptEmbeds, Tensor noise, Tensor timesteps, Tensor imageLatents, Tensor ofs,
                         RotaryEmbedding.Tables rotary) {}

    /** The step's intermediates (they live in the caller's pointer scope). */
    public record Forward(Tensor noisyLatents, Tensor modelOutput, Tensor prediction, Tensor loss) {}

    /** The parts of a step in the order they run, for profiling ({@link #setPhaseListener}). */
    public enum Phase { ADD_NOISE, FORWARD, LOSS, BACKWARD, CLIP, OPTIMIZER, ZERO_GRAD }

    /** Told as each {@link Phase} ends, on the stepping thread (a benchmark reads its clock there). */
    @FunctionalInterface
    public interface PhaseListener {
        void ended(Phase phase);
    }

    private static final PhaseListener NO_PHASES = phase -> {};

    private final CogVideoXTransformer3D model;
    private final TrainingNoise noise;
    private final List<NamedParam> trainable;
    private final Optimizer optimizer;
    private final double maxGradNorm;
    private final List<Tensor> headParams = new ArrayList<>();
    private final List<List<Tensor>> blockParams = new ArrayList<>();
    private final List<Tensor> otherParams = new ArrayList<>();
    private PhaseListener phases = NO_PHASES;

    public TrainingStep(CogVideoXTransformer3D model, TrainingNoise noise, List<NamedParam> trainable, Optimizer optimizer,
            double maxGradNorm) {
        this.model = model;
        this.noise = noise;
        this.trainable = List.copyOf(trainable);
        this.optimizer = optimizer;
        this.maxGradNorm = maxGradNorm;
        for (int i = 0; i < model.numLayers(); i++) blockParams.add(new ArrayList<>());
        for (NamedParam p : this.trainable) stageOf(p.name()).add(p.tensor());
    }

    private List<Tensor> stageOf(String name) {
        if (name.startsWith("norm_final.") || name.startsWith("norm_out.") || name.startsWith("proj_out.")) return headParams;
        String blocks = "transformer_blocks.";
        if (name.startsWith(blocks)) {
            int dot = name.indexOf('.', blocks.length());
            if (dot > 0) {
                try {
                    int index = Integer.parseInt(name.substring(blocks.length(), dot));
                    if (index >= 0 && index < blockParams.size()) return blockParams.get(index);
                } catch (NumberFormatException e) {
                    // not a block index: treated like the embeddings, final at the end
                }
            }
        }
        return otherParams;
    }

    /**
     * The trainable tensors in the order a checkpointed backward finalises them: head (norm_final, norm_out,
     * proj_out), then the blocks from last to first, then everything else (embeddings) — the bucket order for
     * {@link dev.cogforge.core.dist.OverlappedGradientSync}. Depends only on the names, so it is the same on every rank.
     */
    public List<Tensor> parametersInBackwardOrder() {
        List<Tensor> out = new ArrayList<>(headParams);
        for (int i = blockParams.size() - 1; i >= 0; i--) out.addAll(blockParams.get(i));
        out.addAll(otherParams);
        return out;
    }

    public List<NamedParam> trainable() {
        return trainable;
    }

    /** {@code null} removes the listener. */
    public void setPhaseListener(PhaseListener listener) {
        phases = listener == null ? NO_PHASES : listener;
    }

    /**
     * Forward and backward of one micro-batch; gradients add up in the parameters' {@code .grad()}. The loss is
     * divided by {@code accumulationSteps} before backward (so the accumulated gradient is the mean over micro-batches)
     * but returned undivided. Call inside a pointer scope that also covers reading the returned tensors.
     */
    public Forward accumulate(Inputs in, int accumulationSteps) {
        return accumulate(in, accumulationSteps, null);
    }

    /**
     * {@link #accumulate(Inputs, int)} that hands {@code gradientsFinal} each group of trainable tensors as soon as
     * backward has finished with it (with gradient checkpointing: the head, then each block; the rest when backward
     * returns; without it, all at the end). Pass it only in the last micro-step of an accumulation.
     */
    public Forward accumulate(Inputs in, int accumulationSteps, Consumer<List<Tensor>> gradientsFinal) {
        Tensor noisy = noise.addNoise(in.latents(), in.noise(), in.timesteps());
        Tensor modelInput = in.imageLatents() == null ? noisy : torch.cat(new TensorVector(noisy, in.imageLatents()), 2);
        phases.ended(Phase.ADD_NOISE);
        TrainingPass pass = model.forwardForTraining(modelInput, in.promptEmbeds(), in.timesteps(), in.ofs(), in.rotary());
        Tensor output = pass.output();
        phases.ended(Phase.FORWARD);
        // I2V models predict only the video channels; the loss never sees the image channels
        Tensor prediction = noise.predictedOriginal(output, noisy, in.timesteps());
        Tensor loss = noise.weightedMseLoss(prediction, in.latents(), in.timesteps());
        phases.ended(Phase.LOSS);
        Tensor scaled = accumulationSteps == 1 ? loss : loss.div(new Scalar((double) accumulationSteps));
        if (gradientsFinal == null) {
            pass.backward(scaled);
        } else {
            pass.backward(scaled, new TrainingPass.BackwardProgress() {
                @Override
                public void headDone() {
                    if (!headParams.isEmpty()) gradientsFinal.accept(headParams);
                }

                @Override
                public void blockDone(int index) {
                    if (!blockParams.get(index).isEmpty()) gradientsFinal.accept(blockParams.get(index));
                }
            });
            gradientsFinal.accept(parametersInBackwardOrder());
        }
        phases.ended(Phase.BACKWARD);
        return new Forward(noisy, output, prediction, loss);
    }

    /** {@code clip_grad_norm_(trainable, max_grad_norm)} in place; returns the total norm before clipping. */
    public double clipGradients() {
        List<Tensor> params = new ArrayList<>(trainable.size());
        for (NamedParam p : trainable) params.add(p.tensor());
        double norm = ClipGrad.clipGradNorm(params, maxGradNorm);
        phases.ended(Phase.CLIP);
        return norm;
    }

    /** Optimizer step at {@code lr}, then zero the gradients (the factory's optimizer.step / lr step / zero_grad). */
    public void update(double lr) {
        optimizer.setLr(lr);
        optimizer.step();
        phases.ended(Phase.OPTIMIZER);
        optimizer.zeroGrad();
        phases.ended(Phase.ZERO_GRAD);
    }
}

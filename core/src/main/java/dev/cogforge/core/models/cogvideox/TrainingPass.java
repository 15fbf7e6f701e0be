package dev.cogforge.core.models.cogvideox;

import org.bytedeco.pytorch.Tensor;

/** The model output of a training forward and the matching backward (plain autograd or block recomputation). */
public interface TrainingPass {
    Tensor output();

    /** Back-propagates {@code loss} (a scalar computed from {@link #output()}) into every parameter's {@code grad}. */
    void backward(Tensor loss);

    /**
     * {@link #backward(Tensor)} that says when parameter gradients become final, so gradient communication can start
     * while backward goes on. Only a block-wise (checkpointed) backward knows; the plain one reports nothing and the
     * caller treats everything as final when it returns.
     */
    default void backward(Tensor loss, BackwardProgress progress) {
        backward(loss);
    }

    /** Called on the backward thread; the named parts' parameter gradients receive nothing more in this backward. */
    interface BackwardProgress {
        /** norm_final, norm_out and proj_out. */
        void headDone();

        /** {@code transformer_blocks.<index>} (called for the last block first). */
        void blockDone(int index);
    }

    static TrainingPass plain(Tensor output) {
        return new TrainingPass() {
            @Override
            public Tensor output() {
                return output;
            }

            @Override
            public void backward(Tensor loss) {
                loss.backward();
            }
        };
    }
}

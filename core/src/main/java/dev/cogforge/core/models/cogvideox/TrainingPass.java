package dev.cogforge.core.models.cogvideox;

import org.bytedeco.pytorch.Tensor;

/** The model output of a training forward and the matching backward (plain autograd or block recomputation). */
public interface TrainingPass {
    Tensor output();

    /** Back-propagates {@code loss} (a scalar computed from {@link #output()}) into every parameter's {@code grad}. */
    void backward(Tensor loss);

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

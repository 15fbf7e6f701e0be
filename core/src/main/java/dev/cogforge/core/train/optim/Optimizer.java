package dev.cogforge.core.train.optim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.bytedeco.pytorch.Tensor;

/**
 * A first-order optimizer over libtorch tensors, written in Java so its state can be inspected, quantised and saved
 * by name. Updates are in place under {@code NoGradGuard}; state tensors are owned by the optimizer and released by
 * {@link #close()}.
 */
public interface Optimizer extends AutoCloseable {
    /** {@code adam}, {@code adamw}, {@code adam8bit}, {@code adamw8bit}, {@code prodigy}. */
    String type();

    List<ParamGroup> paramGroups();

    /** One update from each parameter's {@code .grad()}; parameters without a gradient are skipped. */
    void step();

    /** One update from explicit gradients, one per parameter in group order (null = skip that parameter). */
    void step(List<Tensor> grads);

    /** Clears the gradients of every parameter (sets them to zero in place). */
    void zeroGrad();

    /** Sets the learning rate of every group (what an lr schedule calls before each step). */
    void setLr(double lr);

    /** Number of completed {@link #step} calls. */
    long stepCount();

    /** Bytes held by the optimizer's state tensors. */
    long stateBytes();

    /** Writes {@code optimizer.safetensors} (state tensors named {@code <param>.<key>}) and {@code optimizer.json} into {@code dir}. */
    void saveState(Path dir) throws IOException;

    /** Restores what {@link #saveState} wrote; parameter names, shapes and the optimizer type must match. */
    void loadState(Path dir) throws IOException;

    @Override
    void close();

    /** Every parameter of every group in order. */
    default List<NamedParam> allParams() {
        return paramGroups().stream().flatMap(g -> g.params().stream()).toList();
    }
}

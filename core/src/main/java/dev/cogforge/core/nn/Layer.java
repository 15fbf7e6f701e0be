package dev.cogforge.core.nn;

import org.bytedeco.pytorch.Tensor;

/** A module with a single-tensor forward. */
public interface Layer {
    Tensor forward(Tensor x);
}

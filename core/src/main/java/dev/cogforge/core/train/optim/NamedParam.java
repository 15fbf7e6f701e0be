package dev.cogforge.core.train.optim;

import org.bytedeco.pytorch.Tensor;

/** A trainable tensor with its state-dict name; the name keys the optimizer state in saved checkpoints. */
public record NamedParam(String name, Tensor tensor) {}

package dev.cogforge.core.nn;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;

/**
 * A named slot for a long-lived tensor of a declared shape. Declaring shapes before allocating lets a model of
 * billions of parameters be built without memory and filled straight from a memory-mapped checkpoint.
 * The tensor is kept alive outside any {@code PointerScope} until {@link #release()}.
 */
public final class Parameter {
    private final String name;
    private final long[] shape;
    private final boolean persistent;
    private Tensor value;

    Parameter(String name, long[] shape, boolean persistent) {
        this.name = name;
        this.shape = shape.clone();
        this.persistent = persistent;
    }

    public String name() {
        return name;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** False for buffers that are recomputed and never stored in checkpoints. */
    public boolean persistent() {
        return persistent;
    }

    public boolean isSet() {
        return value != null;
    }

    public Tensor get() {
        if (value == null) throw new IllegalStateException("parameter '" + name + "' " + Arrays.toString(shape)
                + " has no value: load a checkpoint or initialise the model first");
        return value;
    }

    /** Replaces the value (shape must match); the old tensor is released. */
    public void set(Tensor t) {
        long[] got = new long[(int) t.dim()];
        for (int i = 0; i < got.length; i++) got[i] = t.size(i);
        if (!Arrays.equals(got, shape)) {
            throw new IllegalArgumentException("parameter '" + name + "' expects shape " + Arrays.toString(shape)
                    + " but got " + Arrays.toString(got));
        }
        t.retainReference();
        Tensor old = value;
        value = t;
        if (old != null) old.releaseReference();
    }

    public void release() {
        if (value != null) {
            value.releaseReference();
            value = null;
        }
    }

    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}

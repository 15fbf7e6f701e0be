package dev.cogforge.core.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Small helpers between Java arrays and CPU libtorch tensors (copying; for tests, configs and small tables). */
public final class Tensors {
    private Tensors() {}

    public static Tensor empty(ScalarType type, long... shape) {
        Engine.ensureLoaded();
        return torch.empty(shape, new TensorOptions(type), new org.bytedeco.pytorch.MemoryFormatOptional());
    }

    public static Tensor fromFloats(float[] values, long... shape) {
        checkCount(values.length, shape);
        Tensor t = empty(ScalarType.Float, shape);
        if (values.length > 0) segment(t, 4L * values.length).copyFrom(MemorySegment.ofArray(values));
        return t;
    }

    public static Tensor fromDoubles(double[] values, long... shape) {
        checkCount(values.length, shape);
        Tensor t = empty(ScalarType.Double, shape);
        if (values.length > 0) segment(t, 8L * values.length).copyFrom(MemorySegment.ofArray(values));
        return t;
    }

    public static Tensor fromLongs(long[] values, long... shape) {
        checkCount(values.length, shape);
        Tensor t = empty(ScalarType.Long, shape);
        if (values.length > 0) segment(t, 8L * values.length).copyFrom(MemorySegment.ofArray(values));
        return t;
    }

    /** Copies any numeric CPU/GPU tensor out as float32 values in row-major order. */
    public static float[] toFloats(Tensor t) {
        try (Tensor c = t.detach().to(new org.bytedeco.pytorch.Device(torch.DeviceType.CPU), ScalarType.Float).contiguous()) {
            long n = c.numel();
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor with " + n + " elements does not fit an array");
            float[] out = new float[(int) n];
            if (n > 0) MemorySegment.copy(segment(c, 4L * n), ValueLayout.JAVA_FLOAT, 0, out, 0, (int) n);
            return out;
        }
    }

    public static double[] toDoubles(Tensor t) {
        try (Tensor c = t.detach().to(new org.bytedeco.pytorch.Device(torch.DeviceType.CPU), ScalarType.Double).contiguous()) {
            long n = c.numel();
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor with " + n + " elements does not fit an array");
            double[] out = new double[(int) n];
            if (n > 0) MemorySegment.copy(segment(c, 8L * n), ValueLayout.JAVA_DOUBLE, 0, out, 0, (int) n);
            return out;
        }
    }

    /**
     * The tensor's scalar type as the canonical enum constant. JavaCPP returns a fresh enum object from native calls,
     * so {@code t.scalar_type() == ScalarType.Float} is false and a {@code switch} on it misbehaves; compare this.
     */
    public static ScalarType scalarType(Tensor t) {
        return t.scalar_type().intern();
    }

    public static long[] shape(Tensor t) {
        int dims = (int) t.dim();
        long[] s = new long[dims];
        for (int i = 0; i < dims; i++) s[i] = t.size(i);
        return s;
    }

    /** The tensor's storage as a segment; the tensor must be contiguous and stay alive while the segment is used. */
    public static MemorySegment segment(Tensor t, long bytes) {
        return MemorySegment.ofAddress(t.data_ptr().address()).reinterpret(bytes);
    }

    private static void checkCount(int n, long[] shape) {
        long expect = 1;
        for (long d : shape) expect *= d;
        if (expect != n) throw new IllegalArgumentException(n + " values do not fill shape " + java.util.Arrays.toString(shape));
    }
}

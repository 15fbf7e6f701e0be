package dev.cogforge.core.train.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.cogforge.core.engine.Tensors;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Block-wise 8-bit quantisation with a dynamic (logarithmic) code book, the scheme of Dettmers et al. "8-bit
 * Optimizers via Block-wise Quantization": each block of {@code blockSize} values is scaled by its absmax, then every
 * value is replaced by the index of the nearest of 256 codes. The codes cover seven decades (1e-6 .. 1) with
 * finer steps in each higher decade, so both the small second moments and the large ones keep a few significant
 * digits; a linear absmax code would flush most of Adam's {@code v} to zero, which makes the update explode.
 * The signed book (first moment) has 127 codes per sign plus 0 and 1; the unsigned book (second moment) has 254
 * positive codes plus 0 and 1.
 */
final class BlockwiseQuantizer implements AutoCloseable {
    private final int blockSize;
    private final float[] codes;
    private final Tensor codebook;
    private final Tensor boundaries;

    BlockwiseQuantizer(boolean signed, int blockSize) {
        if (blockSize < 1) throw new IllegalArgumentException("block size must be >= 1");
        this.blockSize = blockSize;
        this.codes = dynamicCodes(signed);
        float[] mid = new float[codes.length - 1];
        for (int i = 0; i < mid.length; i++) mid[i] = (codes[i] + codes[i + 1]) / 2f;
        this.codebook = Tensors.fromFloats(codes, codes.length);
        this.boundaries = Tensors.fromFloats(mid, mid.length);
        codebook.retainReference();
        boundaries.retainReference();
    }

    /** The 256 sorted code values. */
    static float[] dynamicCodes(boolean signed) {
        List<Double> values = new ArrayList<>();
        int decades = 7;
        for (int i = 0; i < decades; i++) {
            int steps = signed ? 1 << i : 1 << (i + 1);
            double scale = Math.pow(10, -(decades - 1) + i);
            for (int k = 0; k < steps; k++) {
                // the midpoints of `steps` equal bins spanning [0.1, 1] of this decade
                double lo = 0.1 + 0.9 * k / steps;
                double hi = 0.1 + 0.9 * (k + 1) / steps;
                double mean = (lo + hi) / 2;
                values.add(scale * mean);
                if (signed) values.add(-scale * mean);
            }
        }
        values.add(0.0);
        values.add(1.0);
        if (values.size() != 256) throw new IllegalStateException("code book has " + values.size() + " entries");
        float[] out = new float[256];
        for (int i = 0; i < 256; i++) out[i] = values.get(i).floatValue();
        Arrays.sort(out);
        return out;
    }

    int blockSize() {
        return blockSize;
    }

    long blocks(long numel) {
        return (numel + blockSize - 1) / blockSize;
    }

    /** Quantises float32 {@code x} into {@code codesOut} (uint8, numel) and {@code absmaxOut} (float32, blocks). */
    void quantize(Tensor x, Tensor codesOut, Tensor absmaxOut) {
        long n = x.numel();
        long nb = blocks(n);
        Tensor blocks = padded(x.reshape(-1), n, nb);
        Tensor absmax = blocks.abs().amax(new long[] {1}, true);
        absmaxOut.copy_(absmax.reshape(-1));
        Tensor normalized = blocks.div(absmax.clamp_min(new org.bytedeco.pytorch.Scalar(Float.MIN_NORMAL)));
        Tensor idx = torch.searchsorted(boundaries, normalized.contiguous());
        codesOut.copy_(idx.reshape(-1).narrow(0, 0, n).to(ScalarType.Byte));
    }

    /** The float32 values the codes stand for, in {@code shape}. */
    Tensor dequantize(Tensor codesIn, Tensor absmaxIn, long[] shape) {
        long n = codesIn.numel();
        long nb = blocks(n);
        Tensor values = codebook.index_select(0, codesIn.to(ScalarType.Long));
        Tensor blocks = padded(values, n, nb).mul(absmaxIn.reshape(nb, 1));
        return blocks.reshape(-1).narrow(0, 0, n).reshape(shape);
    }

    private Tensor padded(Tensor flat, long n, long nb) {
        if (nb * blockSize == n) return flat.reshape(nb, blockSize);
        Tensor p = torch.zeros(new long[] {nb * blockSize}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Float));
        p.narrow(0, 0, n).copy_(flat);
        return p.reshape(nb, blockSize);
    }

    @Override
    public void close() {
        codebook.releaseReference();
        boundaries.releaseReference();
    }
}

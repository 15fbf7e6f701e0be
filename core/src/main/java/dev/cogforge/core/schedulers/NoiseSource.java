package dev.cogforge.core.schedulers;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Where a stochastic scheduler step gets its Gaussian noise. In production this is a seeded libtorch generator
 * ({@link GeneratorNoise}); parity tests replay the draws a reference run recorded ({@link RecordedNoise}).
 * Draw order matters: the DPM step draws once per step and a second time whenever it takes the second-order branch.
 */
public interface NoiseSource {
    /** A tensor of independent N(0, 1) values; the caller's {@code PointerScope} owns it. */
    Tensor draw(long[] shape, ScalarType dtype);

    /** A fresh CPU generator seeded like {@code torch.Generator().manual_seed(seed)}. */
    static GeneratorNoise seeded(long seed) {
        return new GeneratorNoise(seed);
    }
}

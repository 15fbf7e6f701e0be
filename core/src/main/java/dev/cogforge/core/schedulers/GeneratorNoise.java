package dev.cogforge.core.schedulers;

import java.util.Arrays;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.Engine;

/**
 * Noise from a private libtorch CPU generator, so a sampling or training run is reproducible from its seed without
 * touching the global generator. Close it to free the native generator.
 */
public final class GeneratorNoise implements NoiseSource, AutoCloseable {
    private final long seed;
    private Generator generator;

    @SuppressWarnings("try") // the scope only bounds the generator's JavaCPP ownership
    public GeneratorNoise(long seed) {
        Engine.ensureLoaded();
        this.seed = seed;
        // created in its own scope and retained so that it outlives whatever scope the caller has open
        try (PointerScope scope = new PointerScope()) {
            Generator g = torch.createCPUGenerator(seed);
            g.retainReference();
            this.generator = g;
        }
    }

    public long seed() {
        return seed;
    }

    /** The generator itself, for other random ops that must share this stream (e.g. {@code torch.randint}). */
    public Generator generator() {
        if (generator == null) throw new IllegalStateException("noise generator (seed " + seed + ") is closed");
        return generator;
    }

    @Override
    public Tensor draw(long[] shape, ScalarType dtype) {
        int v = dtype.value; // JavaCPP hands out fresh enum instances, so compare values
        if (v != ScalarType.Float.value && v != ScalarType.Double.value && v != ScalarType.BFloat16.value && v != ScalarType.Half.value) {
            throw new IllegalArgumentException("Gaussian noise needs a floating dtype, got " + dtype + " for shape " + Arrays.toString(shape));
        }
        return torch.randn(shape, new GeneratorOptional(generator()), new TensorOptions(dtype));
    }

    @Override
    public void close() {
        if (generator != null) {
            generator.releaseReference();
            generator = null;
        }
    }
}

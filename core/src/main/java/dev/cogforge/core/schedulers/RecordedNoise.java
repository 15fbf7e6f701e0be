package dev.cogforge.core.schedulers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.Tensors;

/**
 * Replays noise tensors recorded from a reference run, in order. Each draw must ask for the recorded shape; asking
 * for more draws than were recorded is an error, so a step that draws too often is caught rather than fed garbage.
 * The tensors stay owned by the caller.
 */
public final class RecordedNoise implements NoiseSource {
    private final List<Tensor> draws;
    private int used;

    public RecordedNoise(List<Tensor> draws) {
        this.draws = new ArrayList<>(draws);
    }

    public static RecordedNoise of(Tensor... draws) {
        return new RecordedNoise(List.of(draws));
    }

    /** How many recorded tensors have been handed out. */
    public int used() {
        return used;
    }

    public int recorded() {
        return draws.size();
    }

    @Override
    public Tensor draw(long[] shape, ScalarType dtype) {
        if (used >= draws.size()) {
            throw new IllegalStateException("noise draw #" + (used + 1) + " requested but only " + draws.size() + " were recorded");
        }
        Tensor t = draws.get(used);
        long[] got = Tensors.shape(t);
        if (!Arrays.equals(got, shape)) {
            throw new IllegalStateException("noise draw #" + (used + 1) + " requested shape " + Arrays.toString(shape)
                    + " but the recorded draw has shape " + Arrays.toString(got));
        }
        used++;
        return t.scalar_type().value == dtype.value ? t.detach() : t.to(dtype);
    }
}

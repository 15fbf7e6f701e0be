package dev.cogforge.core.models.vae;

import java.util.IdentityHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;

/**
 * The trailing input frames every causal convolution keeps between temporal chunks (diffusers' nested
 * {@code conv_cache} dict, keyed here by the convolution itself). The tensors outlive the per-chunk
 * {@code PointerScope}s, so they are reference-counted and released on {@link #close()}.
 */
final class ConvCache implements AutoCloseable {
    private final Map<CausalConv3d, Tensor> frames = new IdentityHashMap<>();

    Tensor get(CausalConv3d conv) {
        return frames.get(conv);
    }

    void put(CausalConv3d conv, Tensor tail) {
        tail.retainReference();
        Tensor old = frames.put(conv, tail);
        if (old != null) old.releaseReference();
    }

    @Override
    public void close() {
        frames.values().forEach(Tensor::releaseReference);
        frames.clear();
    }
}

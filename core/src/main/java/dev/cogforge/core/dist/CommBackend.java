package dev.cogforge.core.dist;

import dev.cogforge.core.engine.Engine;

import org.bytedeco.pytorch.global.torch;

/** The libtorch c10d backend that carries the collectives. */
public enum CommBackend {
    /** CPU tensors over TCP; also works for CUDA tensors but copies through host memory. */
    GLOO,
    /** CUDA tensors over NVLink / InfiniBand / TCP; needs the GPU build of the presets. */
    NCCL;

    /** NCCL when libtorch sees a GPU, else Gloo. */
    public static CommBackend forThisMachine() {
        Engine.ensureLoaded();
        return torch.cuda_is_available() ? NCCL : GLOO;
    }

    public static CommBackend parse(String name) {
        for (CommBackend b : values()) if (b.name().equalsIgnoreCase(name.trim())) return b;
        throw new IllegalArgumentException("unknown distributed backend '" + name + "' (expected gloo or nccl)");
    }
}

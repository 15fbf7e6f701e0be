package dev.cogforge.core.engine;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Which dtypes a run uses. Frozen weights and activations run in {@link #computeType()}; trainable parameters (LoRA
 * matrices, or all weights in a full fine-tune) stay fp32 like diffusers' {@code cast_training_params}, so that small
 * optimizer updates are not rounded away in half precision.
 *
 * <p>On the CPU everything is fp32 whatever was requested: CPU bf16 matmul is ~76x slower than fp32 in libtorch
 * (engine.md), and fp16 is slower still. {@link #downgraded()} says when a request was overridden so the UI can say so.
 */
public record DtypePolicy(ComputeDevice device, MixedPrecision requested, ScalarType computeType, ScalarType trainableType,
                          boolean downgraded) {
    public DtypePolicy {
        // JavaCPP hands out un-interned enum copies; a switch on one of those would misfire
        computeType = computeType.intern();
        trainableType = trainableType.intern();
    }

    /** The default for a device: bf16 on a GPU (the 5b/1.5 weights are bf16), fp32 on the CPU. */
    public static DtypePolicy defaultFor(ComputeDevice device) {
        return of(device, device.isCuda() ? MixedPrecision.BF16 : MixedPrecision.NO);
    }

    public static DtypePolicy of(ComputeDevice device, MixedPrecision requested) {
        if (!device.isCuda()) {
            return new DtypePolicy(device, requested, ScalarType.Float, ScalarType.Float, requested != MixedPrecision.NO);
        }
        ScalarType compute = switch (requested) {
            case NO -> ScalarType.Float;
            case FP16 -> ScalarType.Half;
            case BF16 -> ScalarType.BFloat16;
        };
        return new DtypePolicy(device, requested, compute, ScalarType.Float, false);
    }

    /** The mixed-precision mode actually in effect. */
    public MixedPrecision effective() {
        return switch (computeType) {
            case Half -> MixedPrecision.FP16;
            case BFloat16 -> MixedPrecision.BF16;
            default -> MixedPrecision.NO;
        };
    }

    public String describe() {
        String s = device + ": compute " + computeType + ", trainable parameters " + trainableType;
        return downgraded ? s + " (requested " + requested + "; the CPU runs fp32)" : s;
    }
}

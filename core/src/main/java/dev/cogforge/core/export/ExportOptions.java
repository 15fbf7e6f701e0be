package dev.cogforge.core.export;

import java.nio.file.Path;
import java.util.Objects;

import dev.cogforge.core.io.DType;

/**
 * What to export. {@code dtype} is F32, F16 or BF16. {@code comfyui} adds a kohya-keyed copy for ComfyUI;
 * {@code mergeInto} (a diffusers transformer folder) adds a merged full transformer; {@code baseModelId} overrides the
 * Hub id read from the run config (for runs trained from a local folder). {@code comfyui} and {@code mergeInto} act on a
 * LoRA, so a full fine-tuning run's export refuses them.
 */
public record ExportOptions(Path out, DType dtype, boolean comfyui, Path mergeInto, String baseModelId, boolean overwrite,
                            long maxShardBytes) {
    public static final long DEFAULT_SHARD_BYTES = 2L << 30;

    public ExportOptions {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(dtype, "dtype");
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("export dtype must be fp32, fp16 or bf16, not " + dtype);
        }
        if (maxShardBytes <= 0) throw new IllegalArgumentException("maxShardBytes must be positive");
    }

    public static ExportOptions of(Path out, DType dtype) {
        return new ExportOptions(out, dtype, false, null, null, false, DEFAULT_SHARD_BYTES);
    }

    public ExportOptions withComfyui(boolean on) {
        return new ExportOptions(out, dtype, on, mergeInto, baseModelId, overwrite, maxShardBytes);
    }

    public ExportOptions withMergeInto(Path transformerDir) {
        return new ExportOptions(out, dtype, comfyui, transformerDir, baseModelId, overwrite, maxShardBytes);
    }

    public ExportOptions withBaseModelId(String id) {
        return new ExportOptions(out, dtype, comfyui, mergeInto, id, overwrite, maxShardBytes);
    }

    public ExportOptions withOverwrite(boolean on) {
        return new ExportOptions(out, dtype, comfyui, mergeInto, baseModelId, on, maxShardBytes);
    }

    public ExportOptions withMaxShardBytes(long bytes) {
        return new ExportOptions(out, dtype, comfyui, mergeInto, baseModelId, overwrite, bytes);
    }

    /** "bf16"/"fp16"/"fp32" as users type them. */
    public static DType parseDtype(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "bf16", "bfloat16" -> DType.BF16;
            case "fp16", "f16", "float16", "half" -> DType.F16;
            case "fp32", "f32", "float32", "float" -> DType.F32;
            default -> throw new IllegalArgumentException("unknown dtype '" + s + "' (use bf16, fp16 or fp32)");
        };
    }
}

package dev.cogforge.core.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.cogforge.core.io.Checkpoints;
import dev.cogforge.core.io.DType;
import dev.cogforge.core.io.TensorSource;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Writes a full diffusers transformer folder with the LoRA folded in: W' = W + scale·B·A for every LoRA module, in
 * fp32, then cast to the export dtype; {@link TransformerFolderWriter} reads the base one tensor at a time and writes
 * bounded shards.
 */
final class TransformerMerger {
    private TransformerMerger() {}

    /** Returns the written file names (relative to {@code outDir}). */
    static List<String> merge(LoraWeights lora, double scale, Path baseDir, Path outDir, DType dtype, long maxShardBytes,
                              Consumer<String> log) throws IOException {
        if (!Files.isDirectory(baseDir)) throw new IOException("--merge-into " + baseDir + " is not a folder");
        Path config = baseDir.resolve("config.json");
        if (!Files.isRegularFile(config)) throw new IOException(baseDir + " has no config.json: not a diffusers transformer folder");
        try (TensorSource base = Checkpoints.open(baseDir)) {
            Map<String, TransformerFolderWriter.Fp32Edit> edits = new HashMap<>();
            for (LoraWeights.Module m : lora.modules()) {
                String key = m.path() + ".weight";
                if (!base.names().contains(key)) {
                    throw new IOException("LoRA module '" + m.path() + "' has no base weight '" + key + "' in " + baseDir);
                }
                long[] shape = base.info(key).shape();
                if (shape.length != 2 || shape[0] != m.out() || shape[1] != m.in()) {
                    throw new IOException("LoRA module '" + m.path() + "' is [" + m.out() + " x " + m.in() + "] but base weight '" + key
                            + "' is " + Arrays.toString(shape) + " (a LoRA for another model size?)");
                }
                edits.put(key, w -> {
                    Tensor b = lora.file().load(m.keyB(), ScalarType.Float);
                    Tensor a = lora.file().load(m.keyA(), ScalarType.Float);
                    w.add_(b.mm(a), new Scalar(scale));
                });
            }
            return TransformerFolderWriter.write(base, config, outDir, dtype, maxShardBytes, edits, log).files();
        }
    }
}

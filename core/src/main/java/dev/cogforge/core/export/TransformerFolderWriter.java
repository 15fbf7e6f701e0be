package dev.cogforge.core.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.io.DType;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.io.ShardedCheckpointWriter;
import dev.cogforge.core.io.TensorInfo;
import dev.cogforge.core.io.TensorSource;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Writes a diffusers transformer folder (config.json plus {@code diffusion_pytorch_model.safetensors}, or shards and
 * the index json) from a tensor source, floating-point tensors cast to the export dtype. Tensors are read one at a
 * time and shards are bounded, so peak memory is one shard, never the whole model. The LoRA merge and the full-run
 * export both go through here; the merge edits some weights in fp32 before the cast.
 */
final class TransformerFolderWriter {
    static final String STEM = "diffusion_pytorch_model";
    static final String SINGLE = STEM + ".safetensors";
    static final String INDEX = STEM + ".safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Changes an fp32 copy of a weight in place before it is cast to the export dtype. */
    @FunctionalInterface
    interface Fp32Edit {
        void apply(Tensor weightF32) throws IOException;
    }

    /** What was written: file names relative to the folder, tensor count, element count and bytes of tensor data. */
    record Written(List<String> files, int tensors, long elements, long bytes) {}

    private TransformerFolderWriter() {}

    /** Bytes a tensor takes once exported: floating-point tensors in {@code dtype}, others as they are. */
    static long exportedBytes(TensorInfo info, DType dtype) {
        return info.numel() * (info.dtype().isFloatingPoint() ? dtype.byteSize() : info.dtype().byteSize());
    }

    static Written write(TensorSource source, Path configFile, Path outDir, DType dtype, long maxShardBytes,
                         Map<String, Fp32Edit> edits, Consumer<String> log) throws IOException {
        List<List<String>> plan = planShards(source, dtype, maxShardBytes);
        Files.createDirectories(outDir);
        List<String> written = new ArrayList<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        long total = 0;
        long elements = 0;
        int count = 0;
        Engine.ensureLoaded();
        for (int i = 0; i < plan.size(); i++) {
            String name = plan.size() == 1 ? SINGLE : ShardedCheckpointWriter.shardName(STEM, i + 1, plan.size());
            log.accept("writing transformer/" + name);
            List<Tensor> held = new ArrayList<>();
            try {
                SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
                for (String tensorName : plan.get(i)) {
                    Tensor t = exportedTensor(tensorName, source, edits.get(tensorName), dtype);
                    held.add(t);
                    w.add(tensorName, t);
                    weightMap.put(tensorName, name);
                    total += t.numel() * t.element_size();
                    elements += t.numel();
                    count++;
                }
                w.write(outDir.resolve(name));
            } finally {
                for (Tensor t : held) t.releaseReference();
            }
            written.add(name);
        }
        if (plan.size() > 1) {
            ObjectNode index = JSON.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            ObjectNode map = index.putObject("weight_map");
            weightMap.forEach(map::put);
            Files.writeString(outDir.resolve(INDEX), JSON.writeValueAsString(index));
            written.add(INDEX);
        }
        Files.copy(configFile, outDir.resolve("config.json"));
        written.add("config.json");
        return new Written(List.copyOf(written), count, elements, total);
    }

    /** The edited and/or cast tensor, retained beyond the call's pointer scope; the caller releases it. */
    private static Tensor exportedTensor(String name, TensorSource src, Fp32Edit edit, DType dtype) throws IOException {
        TensorInfo info = src.info(name);
        try (PointerScope scope = new PointerScope()) {
            Tensor out;
            if (edit == null) {
                out = info.dtype().isFloatingPoint() ? src.load(name, dtype.scalarType()) : src.load(name, info.dtype().scalarType());
            } else {
                Tensor w = src.load(name, ScalarType.Float);
                edit.apply(w);
                out = dtype == DType.F32 ? w : w.to(dtype.scalarType());
            }
            out.retainReference();
            return out;
        }
    }

    private static List<List<String>> planShards(TensorSource source, DType dtype, long maxShardBytes) throws IOException {
        List<List<String>> plan = new ArrayList<>();
        List<String> current = new ArrayList<>();
        long size = 0;
        for (String name : source.names()) {
            long bytes = exportedBytes(source.info(name), dtype);
            if (!current.isEmpty() && size + bytes > maxShardBytes) {
                plan.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(name);
            size += bytes;
        }
        if (!current.isEmpty()) plan.add(current);
        if (plan.isEmpty()) throw new IOException(source.describe() + " holds no tensors");
        return plan;
    }
}

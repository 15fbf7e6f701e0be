package dev.cogforge.core.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.io.DType;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.io.TensorInfo;
import dev.cogforge.core.io.TensorSource;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Writes a full diffusers transformer folder with the LoRA folded in: W' = W + scale·B·A for every LoRA module, in
 * fp32, then cast to the export dtype. The base is read one tensor at a time and the output is written in shards of
 * bounded size, so peak memory is one shard, not the whole model.
 */
final class TransformerMerger {
    static final String SINGLE = "diffusion_pytorch_model.safetensors";
    static final String INDEX = "diffusion_pytorch_model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TransformerMerger() {}

    /** Returns the written file names (relative to {@code outDir}). */
    static List<String> merge(LoraWeights lora, double scale, Path baseDir, Path outDir, DType dtype, long maxShardBytes,
                              Consumer<String> log) throws IOException {
        if (!Files.isDirectory(baseDir)) throw new IOException("--merge-into " + baseDir + " is not a folder");
        Path config = baseDir.resolve("config.json");
        if (!Files.isRegularFile(config)) throw new IOException(baseDir + " has no config.json: not a diffusers transformer folder");
        List<SafetensorsFile> shards = openShards(baseDir);
        try {
            Map<String, TensorSource> owner = new LinkedHashMap<>();
            for (SafetensorsFile s : shards) for (String n : s.names()) owner.put(n, s);

            Map<String, LoraWeights.Module> targets = new HashMap<>();
            for (LoraWeights.Module m : lora.modules()) {
                String key = m.path() + ".weight";
                TensorSource src = owner.get(key);
                if (src == null) throw new IOException("LoRA module '" + m.path() + "' has no base weight '" + key + "' in " + baseDir);
                long[] shape = src.info(key).shape();
                if (shape.length != 2 || shape[0] != m.out() || shape[1] != m.in()) {
                    throw new IOException("LoRA module '" + m.path() + "' is [" + m.out() + " x " + m.in() + "] but base weight '" + key
                            + "' is " + Arrays.toString(shape) + " (a LoRA for another model size?)");
                }
                targets.put(key, m);
            }

            List<List<String>> plan = planShards(owner, dtype, maxShardBytes);
            Files.createDirectories(outDir);
            List<String> written = new ArrayList<>();
            Map<String, String> weightMap = new LinkedHashMap<>();
            long total = 0;
            Engine.ensureLoaded();
            for (int i = 0; i < plan.size(); i++) {
                String name = plan.size() == 1 ? SINGLE
                        : String.format("diffusion_pytorch_model-%05d-of-%05d.safetensors", i + 1, plan.size());
                log.accept("writing transformer/" + name);
                List<Tensor> held = new ArrayList<>();
                try {
                    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
                    for (String tensorName : plan.get(i)) {
                        Tensor t = mergedTensor(tensorName, owner.get(tensorName), targets.get(tensorName), lora, scale, dtype);
                        held.add(t);
                        w.add(tensorName, t);
                        weightMap.put(tensorName, name);
                        total += t.numel() * t.element_size();
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
            Files.copy(config, outDir.resolve("config.json"));
            written.add("config.json");
            return written;
        } finally {
            shards.forEach(SafetensorsFile::close);
        }
    }

    /** The merged (or just cast) tensor, retained beyond the call's pointer scope; the caller releases it. */
    private static Tensor mergedTensor(String name, TensorSource src, LoraWeights.Module module, LoraWeights lora, double scale,
                                       DType dtype) throws IOException {
        TensorInfo info = src.info(name);
        try (PointerScope scope = new PointerScope()) {
            Tensor out;
            if (module == null) {
                out = info.dtype().isFloatingPoint() ? src.load(name, dtype.scalarType()) : src.load(name, info.dtype().scalarType());
            } else {
                Tensor w = src.load(name, ScalarType.Float);
                Tensor b = lora.file().load(module.keyB(), ScalarType.Float);
                Tensor a = lora.file().load(module.keyA(), ScalarType.Float);
                w.add_(b.mm(a), new Scalar(scale));
                out = dtype == DType.F32 ? w : w.to(dtype.scalarType());
            }
            out.retainReference();
            return out;
        }
    }

    private static List<SafetensorsFile> openShards(Path dir) throws IOException {
        List<SafetensorsFile> out = new ArrayList<>();
        try {
            Path index = dir.resolve(INDEX);
            if (Files.isRegularFile(index)) {
                JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
                if (!map.isObject()) throw new IOException(index + " has no weight_map object");
                LinkedHashSet<String> files = new LinkedHashSet<>();
                map.properties().forEach(e -> files.add(e.getValue().asText()));
                for (String f : files) out.add(SafetensorsFile.open(dir.resolve(f)));
            } else if (Files.isRegularFile(dir.resolve(SINGLE))) {
                out.add(SafetensorsFile.open(dir.resolve(SINGLE)));
            } else {
                throw new IOException(dir + " has neither " + SINGLE + " nor " + INDEX);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            out.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static List<List<String>> planShards(Map<String, TensorSource> owner, DType dtype, long maxShardBytes) throws IOException {
        List<List<String>> plan = new ArrayList<>();
        List<String> current = new ArrayList<>();
        long size = 0;
        for (var e : owner.entrySet()) {
            TensorInfo info = e.getValue().info(e.getKey());
            long bytes = info.numel() * (info.dtype().isFloatingPoint() ? dtype.byteSize() : info.dtype().byteSize());
            if (!current.isEmpty() && size + bytes > maxShardBytes) {
                plan.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(e.getKey());
            size += bytes;
        }
        if (!current.isEmpty()) plan.add(current);
        return plan;
    }
}

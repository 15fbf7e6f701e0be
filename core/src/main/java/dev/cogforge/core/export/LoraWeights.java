package dev.cogforge.core.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.TensorInfo;

/**
 * A saved diffusers-format LoRA file, checked pairwise: every module has lora_A [rank, in] and lora_B [out, rank]
 * with one rank. Keys without the "transformer." prefix (a raw PEFT state dict) are accepted and normalised.
 */
public final class LoraWeights implements AutoCloseable {
    public record Module(String path, String keyA, String keyB, long rank, long in, long out) {}

    private final SafetensorsFile file;
    private final List<Module> modules;
    private final long rank;

    private LoraWeights(SafetensorsFile file, List<Module> modules, long rank) {
        this.file = file;
        this.modules = modules;
        this.rank = rank;
    }

    public static LoraWeights open(Path path) throws IOException {
        SafetensorsFile f = SafetensorsFile.open(path);
        try {
            Map<String, String[]> pairs = new LinkedHashMap<>();
            for (String name : f.names()) {
                String stem;
                int slot;
                if (name.endsWith(".lora_A.weight")) {
                    stem = name.substring(0, name.length() - ".lora_A.weight".length());
                    slot = 0;
                } else if (name.endsWith(".lora_B.weight")) {
                    stem = name.substring(0, name.length() - ".lora_B.weight".length());
                    slot = 1;
                } else {
                    throw new IOException(path + ": tensor '" + name + "' is not a diffusers LoRA key (*.lora_A.weight / *.lora_B.weight)");
                }
                String module = stem.startsWith(LoraKeys.DIFFUSERS_PREFIX) ? stem.substring(LoraKeys.DIFFUSERS_PREFIX.length()) : stem;
                pairs.computeIfAbsent(module, k -> new String[2])[slot] = name;
            }
            if (pairs.isEmpty()) throw new IOException(path + " holds no LoRA tensors");
            List<Module> modules = new ArrayList<>();
            TreeSet<Long> ranks = new TreeSet<>();
            for (var e : pairs.entrySet()) {
                String[] ab = e.getValue();
                if (ab[0] == null || ab[1] == null) {
                    throw new IOException(path + ": module '" + e.getKey() + "' has " + (ab[0] == null ? "lora_B but no lora_A" : "lora_A but no lora_B"));
                }
                TensorInfo a = f.info(ab[0]);
                TensorInfo b = f.info(ab[1]);
                long[] sa = a.shape(), sb = b.shape();
                if (sa.length != 2 || sb.length != 2 || sa[0] != sb[1]) {
                    throw new IOException(path + ": module '" + e.getKey() + "' has lora_A " + Arrays.toString(sa) + " and lora_B "
                            + Arrays.toString(sb) + " (expected [rank, in] and [out, rank])");
                }
                if (!a.dtype().isFloatingPoint() || !b.dtype().isFloatingPoint()) {
                    throw new IOException(path + ": module '" + e.getKey() + "' is stored as " + a.dtype() + ", not a float type");
                }
                ranks.add(sa[0]);
                modules.add(new Module(e.getKey(), ab[0], ab[1], sa[0], sa[1], sb[0]));
            }
            if (ranks.size() != 1) throw new IOException(path + ": modules have different ranks " + ranks + "; one rank per file is supported");
            return new LoraWeights(f, List.copyOf(modules), ranks.first());
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public SafetensorsFile file() {
        return file;
    }

    public List<Module> modules() {
        return modules;
    }

    public long rank() {
        return rank;
    }

    public Map<String, String> metadata() {
        return file.metadata();
    }

    @Override
    public void close() {
        file.close();
    }
}

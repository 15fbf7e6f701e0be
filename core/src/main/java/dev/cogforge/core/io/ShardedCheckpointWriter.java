package dev.cogforge.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.pytorch.Tensor;

/**
 * Saves a state dict as one safetensors file, or as {@code stem-00001-of-0000N.safetensors} shards plus
 * {@code stem.safetensors.index.json} when it exceeds the maximum shard size (the layout of diffusers'
 * {@code save_pretrained}, so the output loads in Python too).
 *
 * <p>Crash safety: shards are written to a staging folder first. When an older index exists it is deleted before any
 * shard it lists is replaced, the new shards are moved in, and the new index is written last. A reader therefore
 * finds either the previous checkpoint, no index, or the complete new one — never an index whose shards are mixed.
 * Files of the previous layout (the single file, stale shards) are removed only after the new layout is in place.
 */
public final class ShardedCheckpointWriter {
    /** diffusers' default {@code max_shard_size="10GB"}. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 10_000_000_000L;

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final String stem;
    private final long maxShardBytes;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** {@code stem} is "diffusion_pytorch_model" for diffusers components, "model" for transformers ones. */
    public ShardedCheckpointWriter(String stem, long maxShardBytes) {
        if (stem == null || stem.isBlank() || stem.contains("/") || stem.contains("\\")) {
            throw new IllegalArgumentException("checkpoint stem must be a plain file name, got '" + stem + "'");
        }
        if (maxShardBytes <= 0) throw new IllegalArgumentException("max shard size must be positive, got " + maxShardBytes);
        this.stem = stem;
        this.maxShardBytes = maxShardBytes;
    }

    /** Adds to every shard's {@code __metadata__}. */
    public ShardedCheckpointWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** The tensor must stay alive until {@link #write} returns. */
    public ShardedCheckpointWriter add(String name, Tensor tensor) {
        if (tensors.containsKey(name)) throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        if (name.equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is reserved");
        DType.of(tensor.scalar_type());
        tensors.put(name, tensor);
        return this;
    }

    public ShardedCheckpointWriter addAll(Map<String, Tensor> named) {
        named.forEach(this::add);
        return this;
    }

    private static long byteSize(Tensor t) {
        return t.numel() * DType.of(t.scalar_type()).byteSize();
    }

    /** Groups tensors in insertion order, starting a new shard when the next tensor would overflow the current one. */
    List<List<String>> plan() {
        List<List<String>> shards = new ArrayList<>();
        List<String> current = new ArrayList<>();
        long size = 0;
        for (var e : tensors.entrySet()) {
            long n = byteSize(e.getValue());
            if (!current.isEmpty() && size + n > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(e.getKey());
            size += n;
        }
        if (!current.isEmpty() || shards.isEmpty()) shards.add(current);
        return shards;
    }

    public static String shardName(String stem, int index, int count) {
        return String.format("%s-%05d-of-%05d.safetensors", stem, index, count);
    }

    /** Writes into {@code dir} and returns what {@link Checkpoints#open} will pick there (the file or the index). */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path single = dir.resolve(stem + ".safetensors");
        Path index = dir.resolve(stem + ".safetensors.index.json");
        List<List<String>> plan = plan();
        if (plan.size() == 1) {
            shardWriter(plan.getFirst()).write(single);
            Files.deleteIfExists(index);
            deleteStaleShards(dir, Set.of());
            return single;
        }
        Path staging = Files.createTempDirectory(dir, "." + stem + ".staging-");
        try {
            List<String> names = new ArrayList<>();
            Map<String, String> weightMap = new TreeMap<>();
            long total = 0;
            for (int i = 0; i < plan.size(); i++) {
                String name = shardName(stem, i + 1, plan.size());
                names.add(name);
                shardWriter(plan.get(i)).write(staging.resolve(name));
                for (String t : plan.get(i)) {
                    weightMap.put(t, name);
                    total += byteSize(tensors.get(t));
                }
            }
            Files.deleteIfExists(index);
            for (String name : names) AtomicFiles.moveIntoPlace(staging.resolve(name), dir.resolve(name));
            ObjectNode root = JSON.createObjectNode();
            root.putObject("metadata").put("total_size", total);
            ObjectNode map = root.putObject("weight_map");
            weightMap.forEach(map::put);
            AtomicFiles.write(index, out -> JSON.writeValue(out, root));
            Files.deleteIfExists(single);
            deleteStaleShards(dir, Set.copyOf(names));
        } finally {
            deleteTree(staging);
        }
        return index;
    }

    private SafetensorsWriter shardWriter(List<String> names) {
        SafetensorsWriter w = new SafetensorsWriter().metadata(metadata);
        for (String n : names) w.add(n, tensors.get(n));
        return w;
    }

    private void deleteStaleShards(Path dir, Set<String> keep) throws IOException {
        Pattern shard = Pattern.compile(Pattern.quote(stem) + "-\\d{5}-of-\\d{5}\\.safetensors");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if (shard.matcher(n).matches() && !keep.contains(n)) Files.deleteIfExists(p);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }
}

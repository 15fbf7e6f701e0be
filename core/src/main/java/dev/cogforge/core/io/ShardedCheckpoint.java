package dev.cogforge.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A checkpoint split over several safetensors files and a {@code *.safetensors.index.json} that maps each tensor name
 * to its shard ({@code {"metadata": {...}, "weight_map": {name: shard}}}). Shards are opened on first use; opening a
 * shard checks it against the index, so a tensor the index promises but the shard lacks, or a tensor that sits in two
 * shards, is an error naming both files instead of a silently wrong weight.
 */
public final class ShardedCheckpoint implements TensorSource {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path indexFile;
    private final Path dir;
    private final Map<String, String> metadata;
    private final Map<String, String> shardOf;
    private final Map<String, List<String>> namesByShard;
    private final Map<String, SafetensorsFile> openShards = new LinkedHashMap<>();
    private boolean closed;

    private ShardedCheckpoint(Path indexFile, Map<String, String> metadata, Map<String, String> shardOf,
                              Map<String, List<String>> namesByShard) {
        this.indexFile = indexFile;
        this.dir = indexFile.toAbsolutePath().getParent();
        this.metadata = metadata;
        this.shardOf = shardOf;
        this.namesByShard = namesByShard;
    }

    /** Reads the index and checks that every shard it names is present; shards themselves open lazily. */
    public static ShardedCheckpoint open(Path indexFile) throws IOException {
        if (!Files.isRegularFile(indexFile)) throw new SafetensorsException(indexFile, "no such index file");
        JsonNode root;
        try {
            root = JSON.readTree(indexFile.toFile());
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(indexFile, "index is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new SafetensorsException(indexFile, "index is not a JSON object");
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) throw new SafetensorsException(indexFile, "\"metadata\" must be an object");
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
                var e = it.next();
                metadata.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
            }
        }
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) throw new SafetensorsException(indexFile, "missing \"weight_map\" object");
        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, String> shardOf = new LinkedHashMap<>();
        Map<String, List<String>> namesByShard = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                throw new SafetensorsException(indexFile, "weight_map entry '" + e.getKey() + "' is not a shard file name");
            }
            String shard = e.getValue().asText();
            checkInside(indexFile, dir, shard, e.getKey());
            shardOf.put(e.getKey(), shard);
            namesByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(e.getKey());
        }
        List<String> missing = new ArrayList<>();
        for (String shard : namesByShard.keySet()) {
            if (!Files.isRegularFile(dir.resolve(shard))) missing.add(shard + " (" + namesByShard.get(shard).size() + " tensors)");
        }
        if (!missing.isEmpty()) {
            throw new SafetensorsException(indexFile, "shard file(s) missing next to the index: " + String.join(", ", missing)
                    + " (incomplete download or copy?)");
        }
        return new ShardedCheckpoint(indexFile, Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(shardOf),
                namesByShard);
    }

    private static void checkInside(Path indexFile, Path dir, String shard, String tensor) throws SafetensorsException {
        Path p;
        try {
            p = dir.resolve(shard).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new SafetensorsException(indexFile, "weight_map entry '" + tensor + "' names an invalid path '" + shard + "'");
        }
        if (Path.of(shard).isAbsolute() || !p.startsWith(dir.normalize()) || p.equals(dir.normalize())) {
            throw new SafetensorsException(indexFile, "weight_map entry '" + tensor + "' points outside the checkpoint folder: '"
                    + shard + "'");
        }
    }

    public Path indexFile() {
        return indexFile;
    }

    /** The index's "metadata" values as text (e.g. total_size). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Shard file names in sorted order. */
    public List<String> shardNames() {
        return List.copyOf(namesByShard.keySet());
    }

    public String shardOf(String name) throws SafetensorsException {
        String s = shardOf.get(name);
        if (s == null) throw new SafetensorsException(indexFile, "no tensor named '" + name + "' in the weight_map");
        return s;
    }

    @Override
    public Collection<String> names() {
        return shardOf.keySet();
    }

    public boolean contains(String name) {
        return shardOf.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) throws IOException {
        return shard(shardOf(name)).info(name);
    }

    @Override
    public Tensor load(String name, ScalarType dtype) throws IOException {
        return shard(shardOf(name)).load(name, dtype);
    }

    /** Opens every shard now, so that all index/shard mismatches surface before a long job starts. */
    public void validate() throws IOException {
        for (String shard : namesByShard.keySet()) shard(shard);
    }

    /** The opened shard (opening and checking it on first use). */
    public synchronized SafetensorsFile shard(String shard) throws IOException {
        if (closed) throw new IllegalStateException(indexFile + " is closed");
        SafetensorsFile f = openShards.get(shard);
        if (f != null) return f;
        if (!namesByShard.containsKey(shard)) throw new SafetensorsException(indexFile, "no shard named '" + shard + "' in the index");
        f = SafetensorsFile.open(dir.resolve(shard));
        try {
            checkAgainstIndex(shard, f);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        openShards.put(shard, f);
        return f;
    }

    private void checkAgainstIndex(String shard, SafetensorsFile f) throws SafetensorsException {
        List<String> absent = new ArrayList<>();
        for (String name : namesByShard.get(shard)) if (!f.contains(name)) absent.add(name);
        if (!absent.isEmpty()) {
            throw new SafetensorsException(indexFile, "shard " + shard + " lacks " + absent.size() + " tensor(s) the index maps to it: "
                    + preview(absent));
        }
        List<String> elsewhere = new ArrayList<>();
        for (String name : f.names()) {
            String mapped = shardOf.get(name);
            if (mapped != null && !mapped.equals(shard)) elsewhere.add("'" + name + "' (also in " + mapped + ")");
        }
        if (!elsewhere.isEmpty()) {
            throw new SafetensorsException(indexFile, "tensor(s) stored in two shards: " + shard + " holds "
                    + String.join(", ", elsewhere.subList(0, Math.min(5, elsewhere.size())))
                    + (elsewhere.size() > 5 ? " and " + (elsewhere.size() - 5) + " more" : ""));
        }
    }

    private static String preview(List<String> names) {
        int n = Math.min(5, names.size());
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ", ").append('\'').append(names.get(i)).append('\'');
        if (names.size() > n) b.append(" and ").append(names.size() - n).append(" more");
        return b.toString();
    }

    @Override
    public String describe() {
        return indexFile.toString();
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (SafetensorsFile f : openShards.values()) f.close();
        openShards.clear();
    }

    @Override
    public String toString() {
        return "ShardedCheckpoint[" + indexFile + ", " + shardOf.size() + " tensors in " + namesByShard.size() + " shards]";
    }
}

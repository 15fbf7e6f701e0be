package dev.cogforge.core.train.optim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.ConfigJson;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Param groups, named per-parameter state, gradient collection and state files shared by every optimizer here. */
public abstract class AbstractOptimizer implements Optimizer {
    public static final String STATE_TENSORS = "optimizer.safetensors";
    public static final String STATE_JSON = "optimizer.json";
    static final String PARAMS_METADATA = "params";
    static final String PARAM_STEPS_METADATA = "param_steps";

    protected final List<ParamGroup> groups;
    /** param name → state key → tensor (retained; released in close). */
    protected final Map<String, Map<String, Tensor>> state = new LinkedHashMap<>();
    /** Per-parameter step counts, as torch keeps them. */
    protected final Map<String, Long> paramSteps = new HashMap<>();
    private long steps;
    private boolean closed;

    protected AbstractOptimizer(List<ParamGroup> groups) {
        Engine.ensureLoaded();
        if (groups.isEmpty()) throw new IllegalArgumentException("optimizer needs at least one param group");
        this.groups = List.copyOf(groups);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (NamedParam p : allParams()) {
            if (!seen.add(p.name())) throw new IllegalArgumentException("parameter '" + p.name() + "' appears twice");
        }
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    @Override
    public final void step() {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> grads = new ArrayList<>();
            for (NamedParam p : allParams()) {
                Tensor g = p.tensor().grad();
                grads.add(g.defined() ? g : null);
            }
            step(grads);
        }
    }

    @Override
    public final void step(List<Tensor> grads) {
        checkOpen();
        List<NamedParam> params = allParams();
        if (grads.size() != params.size()) {
            throw new IllegalArgumentException(grads.size() + " gradients for " + params.size() + " parameters");
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            List<List<Tensor>> perGroup = new ArrayList<>();
            int k = 0;
            for (ParamGroup g : groups) {
                List<Tensor> gg = new ArrayList<>();
                for (NamedParam p : g.params()) {
                    Tensor grad = grads.get(k++);
                    if (grad != null && !Arrays.equals(Tensors.shape(grad), Tensors.shape(p.tensor()))) {
                        throw new IllegalArgumentException("gradient of '" + p.name() + "' has shape " + Arrays.toString(Tensors.shape(grad))
                                + ", parameter has " + Arrays.toString(Tensors.shape(p.tensor())));
                    }
                    gg.add(grad);
                }
                perGroup.add(gg);
            }
            update(perGroup);
        }
        steps++;
    }

    /** One update; runs inside a pointer scope and with autograd off. */
    protected abstract void update(List<List<Tensor>> gradsPerGroup);

    /** What {@link #forEachGradient} calls for each parameter that has a gradient. */
    @FunctionalInterface
    protected interface ParamUpdate {
        void apply(ParamGroup group, NamedParam param, Tensor grad);
    }

    /** Calls {@code update} for every parameter of every group, in order, skipping those without a gradient. */
    protected void forEachGradient(List<List<Tensor>> gradsPerGroup, ParamUpdate update) {
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup group = groups.get(gi);
            List<Tensor> grads = gradsPerGroup.get(gi);
            for (int i = 0; i < grads.size(); i++) {
                if (grads.get(i) != null) update.apply(group, group.params().get(i), grads.get(i));
            }
        }
    }

    @Override
    public void zeroGrad() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            for (NamedParam p : allParams()) {
                Tensor g = p.tensor().grad();
                if (g.defined()) g.zero_();
            }
        }
    }

    @Override
    public void setLr(double lr) {
        for (ParamGroup g : groups) g.setLr(lr);
    }

    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public long stateBytes() {
        long b = 0;
        for (Map<String, Tensor> m : state.values()) for (Tensor t : m.values()) b += t.numel() * t.element_size();
        return b;
    }

    /** The state tensor, created zero-filled with {@code type} on first use (same device as the parameter). */
    protected Tensor stateTensor(NamedParam p, String key, ScalarType type, long... shape) {
        Map<String, Tensor> m = state.computeIfAbsent(p.name(), n -> new LinkedHashMap<>());
        Tensor t = m.get(key);
        if (t == null) {
            long[] s = shape.length == 0 ? Tensors.shape(p.tensor()) : shape;
            try (PointerScope outside = new PointerScope()) {
                t = torch.zeros(s, new TensorOptions(type).device(new org.bytedeco.pytorch.DeviceOptional(p.tensor().device())));
                t.retainReference();
            }
            m.put(key, t);
        }
        return t;
    }

    protected boolean hasState(NamedParam p, String key) {
        Map<String, Tensor> m = state.get(p.name());
        return m != null && m.containsKey(key);
    }

    protected long incrementStep(NamedParam p) {
        return paramSteps.merge(p.name(), 1L, Long::sum);
    }

    /** State key of the float32 master copy kept for a parameter stored in bf16/fp16. */
    public static final String MASTER_WEIGHTS = "master_fp32";

    /**
     * Runs an in-place update on the parameter's float32 weights: the parameter itself when it is float32; else a
     * float32 master copy kept in the optimizer state (created from the parameter on first use), whose rounded value
     * is then written to the parameter. Without the master copy, updates smaller than half a bf16 step (relative
     * 2^-9, i.e. most updates at fine-tuning learning rates) would be rounded away at every step.
     */
    protected void onMasterWeights(NamedParam p, java.util.function.Consumer<Tensor> update) {
        Tensor param = p.tensor();
        if (isFloat32(param)) {
            update.accept(param);
            return;
        }
        Tensor master = masterWeights(p);
        update.accept(master);
        param.copy_(master);
    }

    /** The float32 weights the optimizer updates: the parameter when float32, else its master copy. */
    protected Tensor masterWeights(NamedParam p) {
        if (isFloat32(p.tensor())) return p.tensor();
        boolean fresh = !hasState(p, MASTER_WEIGHTS);
        Tensor master = stateTensor(p, MASTER_WEIGHTS, ScalarType.Float);
        if (fresh) master.copy_(p.tensor());
        return master;
    }

    /** JavaCPP returns non-interned enum instances, so compare the numeric code, never with ==. */
    protected static boolean isFloat32(Tensor t) {
        return t.scalar_type().value == ScalarType.Float.value;
    }

    protected static Tensor float32(Tensor t) {
        return isFloat32(t) ? t : t.to(ScalarType.Float);
    }

    /** Hyper-parameters and scalar state written to optimizer.json (subclasses add theirs). */
    protected void writeJson(ObjectNode json) {}

    /** Restores what {@link #writeJson} wrote. */
    protected void readJson(JsonNode json) {}

    @Override
    public void saveState(Path dir) throws IOException {
        checkOpen();
        Files.createDirectories(dir);
        writeStateTensors(dir.resolve(STATE_TENSORS));
        ObjectNode json = indexJson();
        ObjectNode ps = json.putObject("param_steps");
        paramSteps.forEach(ps::put);
        var names = json.putArray("params");
        for (NamedParam p : allParams()) names.add(p.name());
        ConfigJson.write(dir.resolve(STATE_JSON), json);
    }

    /**
     * Writes this optimizer's state tensors ({@code <param>.<key>}) to {@code file}, with the names of the parameters
     * it covers and their step counts in the file's metadata, so that a shard of a sharded optimizer is
     * self-describing and can be loaded by whichever rank owns its parameters later.
     */
    public void saveShard(Path file) throws IOException {
        checkOpen();
        writeStateTensors(file);
    }

    /**
     * {@code optimizer.json} of a sharded optimizer: hyper-parameters, step count and lrs (the same on every rank) and
     * the shard files, whose metadata hold each parameter's step count.
     */
    public void saveShardIndex(Path dir, List<String> shardFiles, List<String> allParamNames) throws IOException {
        checkOpen();
        ObjectNode json = indexJson();
        var shards = json.putArray("shards");
        shardFiles.forEach(shards::add);
        var names = json.putArray("params");
        allParamNames.forEach(names::add);
        ConfigJson.write(dir.resolve(STATE_JSON), json);
    }

    private void writeStateTensors(Path file) throws IOException {
        ObjectNode steps = ConfigJson.MAPPER.createObjectNode();
        paramSteps.forEach(steps::put);
        var covered = ConfigJson.MAPPER.createArrayNode();
        for (NamedParam p : allParams()) covered.add(p.name());
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "cogforge-optimizer").metadata("type", type())
                .metadata(PARAMS_METADATA, covered.toString()).metadata(PARAM_STEPS_METADATA, steps.toString());
        for (var e : state.entrySet()) {
            for (var s : e.getValue().entrySet()) w.add(e.getKey() + "." + s.getKey(), s.getValue());
        }
        w.write(file);
    }

    private ObjectNode indexJson() {
        ObjectNode json = ConfigJson.MAPPER.createObjectNode();
        json.put("version", 1);
        json.put("type", type());
        json.put("steps", steps);
        var lrs = json.putArray("group_lrs");
        for (ParamGroup g : groups) lrs.add(g.lr());
        writeJson(json);
        return json;
    }

    @Override
    public void loadState(Path dir) throws IOException {
        loadState(dir, List.of());
    }

    /**
     * Loads the state of this optimizer's parameters from a checkpoint folder written by {@link #saveState} (one
     * {@code optimizer.safetensors}) or by a sharded optimizer ({@code optimizer.json} lists the shard files), with
     * any number of shards: state is found by parameter name in whichever file holds it. Tensors of
     * {@code otherTrainable} parameters (owned by other ranks now) are skipped; tensors of any other parameter are an
     * error, as is a parameter of this optimizer that the checkpoint does not cover.
     */
    public void loadState(Path dir, java.util.Collection<String> otherTrainable) throws IOException {
        checkOpen();
        Path jsonFile = dir.resolve(STATE_JSON);
        JsonNode json;
        try {
            json = ConfigJson.MAPPER.readTree(jsonFile.toFile());
        } catch (IOException e) {
            throw new IOException(jsonFile + ": cannot read optimizer state: " + e.getMessage(), e);
        }
        if (!type().equals(json.path("type").asText())) {
            throw new IOException(jsonFile + ": state of optimizer '" + json.path("type").asText() + "' cannot be loaded into '" + type() + "'");
        }
        Map<String, NamedParam> owned = new HashMap<>();
        for (NamedParam p : allParams()) owned.put(p.name(), p);
        java.util.Set<String> known = new java.util.HashSet<>(owned.keySet());
        known.addAll(otherTrainable);
        List<Path> files = new ArrayList<>();
        if (json.has("shards")) {
            for (JsonNode f : json.path("shards")) files.add(dir.resolve(f.asText()));
        } else {
            files.add(dir.resolve(STATE_TENSORS));
        }
        // which parameters the checkpoint covers; null for checkpoints written before this was recorded
        java.util.Set<String> covered = json.has("params") ? new java.util.HashSet<>() : null;
        if (covered != null) json.path("params").forEach(n -> covered.add(n.asText()));
        Map<String, Long> savedSteps = new HashMap<>();
        json.path("param_steps").properties().forEach(e -> savedSteps.put(e.getKey(), e.getValue().asLong()));
        Map<String, Map<String, Tensor>> loaded = new LinkedHashMap<>();
        try {
            for (Path tensorFile : files) {
                if (!Files.isRegularFile(tensorFile)) throw new IOException(tensorFile + ": optimizer state file is missing (listed in " + jsonFile + ")");
                try (SafetensorsFile f = SafetensorsFile.open(tensorFile)) {
                    String stepsText = f.metadata().get(PARAM_STEPS_METADATA);
                    if (stepsText != null) {
                        ConfigJson.MAPPER.readTree(stepsText).properties().forEach(e -> savedSteps.put(e.getKey(), e.getValue().asLong()));
                    }
                    for (String name : f.names()) {
                        int dot = splitPoint(name, known);
                        if (dot < 0) throw new IOException(tensorFile + ": tensor '" + name + "' belongs to no trainable parameter of this run");
                        String param = name.substring(0, dot);
                        if (!owned.containsKey(param)) continue;
                        Tensor t = f.load(name);
                        t.retainReference();
                        loaded.computeIfAbsent(param, n -> new LinkedHashMap<>()).put(name.substring(dot + 1), t);
                    }
                }
            }
            for (String name : owned.keySet()) {
                boolean stepped = savedSteps.getOrDefault(name, 0L) > 0;
                if ((covered != null && !covered.contains(name)) || (stepped && !loaded.containsKey(name))) {
                    throw new IOException(dir + ": the optimizer state has no entry for trainable parameter '" + name
                            + "' (the checkpoint was saved with other trainable parameters, or a shard file is incomplete)");
                }
            }
        } catch (IOException | RuntimeException e) {
            loaded.values().forEach(m -> m.values().forEach(Tensor::releaseReference));
            throw e;
        }
        releaseState();
        state.putAll(loaded);
        steps = json.path("steps").asLong();
        paramSteps.clear();
        savedSteps.forEach((name, n) -> {
            if (owned.containsKey(name)) paramSteps.put(name, n);
        });
        JsonNode lrs = json.path("group_lrs");
        for (int i = 0; i < groups.size() && i < lrs.size(); i++) groups.get(i).setLr(lrs.get(i).asDouble());
        readJson(json);
    }

    /** Parameter names may contain dots, so match the longest known parameter prefix. */
    private static int splitPoint(String tensorName, java.util.Set<String> names) {
        int best = -1;
        for (int i = tensorName.indexOf('.'); i >= 0; i = tensorName.indexOf('.', i + 1)) {
            if (names.contains(tensorName.substring(0, i))) best = i;
        }
        return best;
    }

    private void releaseState() {
        state.values().forEach(m -> m.values().forEach(Tensor::releaseReference));
        state.clear();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(type() + " optimizer is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        releaseState();
        closed = true;
    }
}

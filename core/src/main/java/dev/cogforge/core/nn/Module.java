package dev.cogforge.core.nn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.io.TensorInfo;
import dev.cogforge.core.io.TensorSource;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A PyTorch-style module: named children and parameters whose dotted full names are exactly the diffusers /
 * transformers state-dict keys, so checkpoints and LoRA files map 1:1.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training;

    protected Module() {
        Engine.ensureLoaded();
    }

    /** Declares a parameter stored in checkpoints. */
    protected final Parameter parameter(String name, long... shape) {
        return declare(name, shape, true);
    }

    /** Declares a buffer that is recomputed and never stored (e.g. the 2b sincos table). */
    protected final Parameter buffer(String name, long... shape) {
        return declare(name, shape, false);
    }

    private Parameter declare(String name, long[] shape, boolean persistent) {
        if (parameters.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("duplicate name " + name);
        Parameter p = new Parameter(name, shape, persistent);
        parameters.put(name, p);
        return p;
    }

    protected final <M extends Module> M child(String name, M module) {
        if (parameters.containsKey(name) || children.containsKey(name)) throw new IllegalArgumentException("duplicate name " + name);
        children.put(name, module);
        return module;
    }

    /** Replaces a child (LoRA injection swaps a Linear for a LoRA-wrapped one under the same name). */
    public final void replaceChild(String name, Module module) {
        if (!children.containsKey(name)) throw new IllegalArgumentException("no child " + name);
        children.put(name, module);
    }

    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter and buffer under this module, by full dotted name, in declaration order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    /** Only the persistent ones: what a checkpoint must contain. */
    public Map<String, Parameter> stateDict() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((k, v) -> {
            if (v.persistent()) out.put(k, v);
        });
        return out;
    }

    /** Every module under this one by full dotted name ("" is this module). */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        children.forEach((n, c) -> c.collectModules(prefix.isEmpty() ? n : prefix + "." + n, out));
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    public long parameterCount() {
        return stateDict().values().stream().mapToLong(Parameter::numel).sum();
    }

    /**
     * Loads every persistent parameter from {@code source}, converted to {@code dtype} and moved to {@code device}.
     * Strict: one exception lists all missing, unexpected and mis-shaped keys; nothing is loaded then.
     * Tensors are loaded one at a time inside a scope so that a large checkpoint never needs two copies.
     */
    public void loadStateDict(TensorSource source, ScalarType dtype, Device device) throws IOException {
        loadStateDict(source, dtype, device, name -> true);
    }

    public void loadStateDict(TensorSource source, ScalarType dtype, Device device, Predicate<String> keepInFloat32Filter)
            throws IOException {
        Map<String, Parameter> expected = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (var e : expected.entrySet()) {
            if (!source.names().contains(e.getKey())) missing.add(e.getKey());
        }
        for (String n : source.names()) {
            Parameter p = expected.get(n);
            if (p == null) {
                unexpected.add(n);
                continue;
            }
            TensorInfo info = source.info(n);
            if (!Arrays.equals(info.shape(), p.shape())) {
                misShaped.add(n + " " + info.shapeString() + " (model expects " + Arrays.toString(p.shape()) + ")");
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misShaped.isEmpty()) {
            throw new StateDictException(source.describe(), missing, unexpected, misShaped);
        }
        for (var e : expected.entrySet()) {
            try (PointerScope scope = new PointerScope()) {
                ScalarType target = keepInFloat32Filter.test(e.getKey()) ? dtype : ScalarType.Float;
                Tensor t = source.load(e.getKey(), target);
                if (device != null && !device.is_cpu()) t = t.to(device, target);
                e.getValue().set(t);
            }
        }
    }

    /**
     * Fills every persistent parameter with seeded random values (demo models and tests), using a CPU generator so
     * the same seed gives the same weights on every run. Norm weights get 1 + noise, biases small noise.
     */
    public void initializeRandom(long seed, double std) {
        Generator g = torch.createCPUGenerator(seed);
        for (var e : namedParameters().entrySet()) {
            Parameter p = e.getValue();
            if (!p.persistent()) continue;
            try (PointerScope scope = new PointerScope()) {
                Tensor t = torch.randn(p.shape(), new GeneratorOptional(g), new TensorOptions(ScalarType.Float)).mul_(new org.bytedeco.pytorch.Scalar(std));
                if (isNormWeight(e.getKey(), p)) t = t.add_(new org.bytedeco.pytorch.Scalar(1.0));
                p.set(t);
            }
        }
    }

    private static boolean isNormWeight(String key, Parameter p) {
        return p.shape().length == 1 && key.endsWith(".weight") && (key.contains("norm") || key.contains("layer_norm"));
    }

    /** Sets requires_grad on every persistent parameter under this module. */
    public void requiresGrad(boolean on) {
        stateDict().values().forEach(p -> {
            if (p.isSet()) p.get().requires_grad_(on);
        });
    }

    public void train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
    }

    public boolean isTraining() {
        return training;
    }

    /** Releases every tensor held by this module and its children. */
    @Override
    public void close() {
        parameters.values().forEach(Parameter::release);
        children.values().forEach(Module::close);
    }
}

package dev.cogforge.core.lora;

import static dev.cogforge.core.lora.LoraLinear.Scalars.s;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.Parameter;

/**
 * A Linear with low-rank adapters, peft semantics: {@code y = W x + b + Σ_adapters B(A(dropout(x))) · (alpha/r) · w}.
 * The base {@code weight}/{@code bias} keep their names (so the base checkpoint still loads into the wrapped model)
 * and share the wrapped Linear's tensors; adapter matrices are named like peft's internal state dict,
 * {@code lora_A.<adapter>.weight [r, in]} and {@code lora_B.<adapter>.weight [out, r]}.
 */
public class LoraLinear extends Linear {
    private final Slots loraA;
    private final Slots loraB;
    private final Map<String, Adapter> adapters = new LinkedHashMap<>();
    private List<String> active = List.of();

    /** One adapter's settings and state. */
    public static final class Adapter {
        final String name;
        final int rank;
        final double alpha;
        final double dropout;
        double weight = 1.0;
        boolean merged;

        Adapter(String name, int rank, double alpha, double dropout) {
            this.name = name;
            this.rank = rank;
            this.alpha = alpha;
            this.dropout = dropout;
        }

        public String name() { return name; }
        public int rank() { return rank; }
        public double alpha() { return alpha; }
        public double weight() { return weight; }
        public boolean merged() { return merged; }
        /** alpha / rank times the adapter weight set for inference. */
        public double effectiveScale() { return alpha / rank * weight; }
    }

    /** Holds one matrix per adapter name. */
    static final class Slots extends Module {
        Linear put(String name, Linear l) {
            return child(name, l);
        }

        Linear get(String name) {
            return (Linear) children().get(name);
        }
    }

    static final class Scalars {
        static Scalar s(double v) {
            return new Scalar(v);
        }
    }

    public LoraLinear(Linear base) {
        super(base.inFeatures(), base.outFeatures(), base.bias() != null);
        if (base instanceof LoraLinear) throw new IllegalArgumentException("already a LoRA layer; add an adapter to it instead");
        if (base.weight().isSet()) weight.set(base.weight().get());
        if (base.bias() != null && base.bias().isSet()) bias.set(base.bias().get());
        loraA = child("lora_A", new Slots());
        loraB = child("lora_B", new Slots());
        train(base.isTraining());
    }

    /**
     * Adds an adapter with fresh matrices: A by {@code config.init()}, B zero (so the wrapped layer starts unchanged),
     * on the base weight's device and dtype. The new adapter becomes active.
     */
    public Adapter addAdapter(String name, int rank, double alpha, double dropout, LoraConfig.Init init, Generator generator) {
        if (adapters.containsKey(name)) throw new IllegalArgumentException("adapter '" + name + "' already exists");
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("adapter name must be non-empty without dots: '" + name + "'");
        Linear a = loraA.put(name, new Linear(inFeatures, rank, false));
        Linear b = loraB.put(name, new Linear(rank, outFeatures, false));
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            TensorOptions f32 = new TensorOptions(ScalarType.Float);
            Tensor av;
            if (init == LoraConfig.Init.GAUSSIAN) {
                av = torch.randn(new long[] {rank, inFeatures}, new GeneratorOptional(generator), f32).mul(s(1.0 / rank));
            } else {
                // kaiming_uniform(a=sqrt(5)) on [r, in]: gain sqrt(2/(1+5)), bound = gain*sqrt(3/fan_in) = 1/sqrt(in)
                double bound = 1.0 / Math.sqrt(inFeatures);
                av = torch.rand(new long[] {rank, inFeatures}, new GeneratorOptional(generator), f32).mul(s(2 * bound)).sub(s(bound));
            }
            Tensor bv = torch.zeros(new long[] {outFeatures, rank}, f32);
            a.weight().set(onBaseDevice(av));
            b.weight().set(onBaseDevice(bv));
        }
        Adapter ad = new Adapter(name, rank, alpha, dropout);
        adapters.put(name, ad);
        List<String> next = new ArrayList<>(active);
        next.add(name);
        active = List.copyOf(next);
        return ad;
    }

    private Tensor onBaseDevice(Tensor t) {
        if (!weight.isSet()) return t;
        Tensor w = weight.get();
        return t.to(w.device(), w.scalar_type()).detach().clone();
    }

    public Map<String, Adapter> adapters() {
        return Collections.unmodifiableMap(adapters);
    }

    public Adapter adapter(String name) {
        Adapter a = adapters.get(name);
        if (a == null) throw new IllegalArgumentException("no adapter '" + name + "' (have " + adapters.keySet() + ")");
        return a;
    }

    public Parameter loraA(String adapter) {
        adapter(adapter);
        return loraA.get(adapter).weight();
    }

    public Parameter loraB(String adapter) {
        adapter(adapter);
        return loraB.get(adapter).weight();
    }

    /** Which adapters contribute to the output, in order. */
    public void setActiveAdapters(List<String> names) {
        names.forEach(this::adapter);
        active = List.copyOf(names);
    }

    public List<String> activeAdapters() {
        return active;
    }

    /** Per-adapter weight at inference (diffusers {@code set_adapters(names, weights)}). Unmerge before changing it. */
    public void setAdapterWeight(String name, double w) {
        Adapter a = adapter(name);
        if (a.merged) throw new IllegalStateException("adapter '" + name + "' is merged: unmerge before changing its weight");
        a.weight = w;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = super.forward(x);
        for (String name : active) {
            Adapter a = adapters.get(name);
            if (a.merged) continue;
            Tensor in = a.dropout > 0 && isTraining() ? torch.dropout(x, a.dropout, true) : x;
            Tensor delta = loraB.get(name).forward(loraA.get(name).forward(in));
            // one fused op instead of a separate multiply and add; a scale of exactly 1 (alpha == rank) needs none
            double scale = a.effectiveScale();
            y = scale == 1.0 ? y.add(delta) : y.add(delta, s(scale));
        }
        return y;
    }

    /** Folds the adapter into the base weight: {@code W += scale · B·A} (inference; keeps one matmul per layer). */
    public void merge(String name) {
        Adapter a = adapter(name);
        if (a.merged) return;
        applyDelta(a, 1.0);
        a.merged = true;
    }

    /** Undoes {@link #merge} (up to rounding in low-precision weights). */
    public void unmerge(String name) {
        Adapter a = adapter(name);
        if (!a.merged) return;
        applyDelta(a, -1.0);
        a.merged = false;
    }

    private void applyDelta(Adapter a, double sign) {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor w = weight.get();
            Tensor delta = torch.matmul(loraB.get(a.name).weight().get().to(ScalarType.Float),
                    loraA.get(a.name).weight().get().to(ScalarType.Float)).mul(s(sign * a.effectiveScale()));
            w.add_(delta.to(w.device(), w.scalar_type()));
        }
    }
}

package dev.cogforge.core.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.global.torch;

import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.Parameter;

/**
 * Puts LoRA adapters on the Linear layers of a model whose names match {@link LoraConfig#matches}, replacing each
 * with a {@link LoraLinear} under the same name (or adding an adapter to one already wrapped).
 */
public final class LoraInjector {
    public static final String DEFAULT_ADAPTER = "default";

    private LoraInjector() {}

    /**
     * Injects adapter {@code adapterName} and makes only LoRA matrices trainable (every base parameter frozen).
     *
     * @return the wrapped layers by module name
     */
    public static Map<String, LoraLinear> inject(Module root, LoraConfig config, String adapterName, long seed) {
        Generator g = torch.createCPUGenerator(seed);
        Map<String, LoraLinear> out = new LinkedHashMap<>();
        Map<String, Module> modules = root.namedModules();
        List<String> names = new ArrayList<>(modules.keySet());
        for (String name : names) {
            Module m = modules.get(name);
            if (name.isEmpty() || !(m instanceof Linear linear) || !config.matches(name)) continue;
            if (isInsideLora(name, modules)) continue;
            LoraLinear lora;
            if (linear instanceof LoraLinear existing) {
                lora = existing;
            } else {
                lora = new LoraLinear(linear);
                int dot = name.lastIndexOf('.');
                Module parent = dot < 0 ? root : modules.get(name.substring(0, dot));
                parent.replaceChild(name.substring(dot + 1), lora);
            }
            lora.addAdapter(adapterName, config.rank(), config.alpha(), config.dropout(), config.init(), g);
            out.put(name, lora);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no Linear layer matches the LoRA targets " + config.targetModules());
        }
        freezeAllButLora(root);
        return out;
    }

    /** The LoRA wrappers currently in {@code root}, by module name. */
    public static Map<String, LoraLinear> loraLayers(Module root) {
        Map<String, LoraLinear> out = new LinkedHashMap<>();
        root.namedModules().forEach((n, m) -> {
            if (m instanceof LoraLinear l) out.put(n, l);
        });
        return out;
    }

    /** requires_grad on every LoRA matrix, off on everything else. */
    public static void freezeAllButLora(Module root) {
        root.requiresGrad(false);
        for (Parameter p : loraParameters(root).values()) {
            if (p.isSet()) p.get().requires_grad_(true);
        }
    }

    /** Every LoRA matrix, by full model key ({@code ...to_q.lora_A.<adapter>.weight}). */
    public static Map<String, Parameter> loraParameters(Module root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        root.stateDict().forEach((k, p) -> {
            if (k.contains(".lora_A.") || k.contains(".lora_B.")) out.put(k, p);
        });
        return out;
    }

    /** The matrices of one adapter, by diffusers module key: {@code <module>.lora_A.weight}. */
    public static Map<String, Parameter> adapterParameters(Module root, String adapterName) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        loraLayers(root).forEach((name, l) -> {
            if (l.adapters().containsKey(adapterName)) {
                out.put(name + ".lora_A.weight", l.loraA(adapterName));
                out.put(name + ".lora_B.weight", l.loraB(adapterName));
            }
        });
        return out;
    }

    private static boolean isInsideLora(String name, Map<String, Module> modules) {
        String n = name;
        int dot;
        while ((dot = n.lastIndexOf('.')) > 0) {
            n = n.substring(0, dot);
            if (modules.get(n) instanceof LoraLinear) return true;
        }
        return false;
    }
}

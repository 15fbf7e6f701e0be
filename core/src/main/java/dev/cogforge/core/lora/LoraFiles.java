package dev.cogforge.core.lora;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.io.TensorInfo;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.Parameter;

/**
 * LoRA files. Writes diffusers' format ({@code transformer.<module>.lora_A.weight} / {@code lora_B.weight},
 * metadata {@code format=pt} plus {@code lora_adapter_metadata} with the {@code transformer.}-prefixed LoraConfig,
 * as newer diffusers writes it). Reads that, peft names with an adapter segment, legacy {@code lora.down/up} and
 * {@code lora_linear_layer.down/up}, ComfyUI's {@code diffusion_model.} prefix and kohya's
 * {@code lora_unet_<module_with_underscores>.lora_down/lora_up/alpha}.
 */
public final class LoraFiles {
    public static final String METADATA_KEY = "lora_adapter_metadata";
    private static final String PREFIX = "transformer.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PEFT = Pattern.compile("^(.+)\\.lora_([AB])(?:\\.([A-Za-z0-9_\\-]+))?\\.weight$");
    private static final Pattern LEGACY = Pattern.compile("^(.+)\\.(?:lora|lora_linear_layer)\\.(down|up)\\.weight$");
    private static final Pattern KOHYA = Pattern.compile("^(.+)\\.(lora_down|lora_up)\\.weight$");
    private static final Pattern ALPHA = Pattern.compile("^(.+)\\.alpha$");

    private LoraFiles() {}

    /** One adapted module: names of its A/B tensors in the file and its alpha (null = take the file-wide value). */
    public record Entry(String module, String aKey, String bKey, String alphaKey, long[] aShape, long[] bShape) {
        public int rank() {
            return (int) bShape[1];
        }
    }

    /** What a file holds, mapped onto the model's module names. */
    public record Contents(Path file, List<Entry> entries, Double fileAlpha, List<String> targets, String format) {}

    /** Saves adapter {@code adapterName} of {@code root} in diffusers' layout, tensors converted to {@code dtype}. */
    public static void save(Path target, Module root, String adapterName, LoraConfig config, ScalarType dtype) throws IOException {
        Map<String, Parameter> params = LoraInjector.adapterParameters(root, adapterName);
        if (params.isEmpty()) throw new IllegalArgumentException("the model has no adapter '" + adapterName + "' to save");
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (var e : params.entrySet()) w.add(PREFIX + e.getKey(), e.getValue().get().detach().to(dtype).contiguous());
            ObjectNode meta = JSON.createObjectNode();
            meta.put(PREFIX + "r", config.rank());
            meta.put(PREFIX + "lora_alpha", config.alpha());
            meta.put(PREFIX + "lora_dropout", config.dropout());
            var targets = meta.putArray(PREFIX + "target_modules");
            config.targetModules().forEach(targets::add);
            if (config.init() == LoraConfig.Init.GAUSSIAN) meta.put(PREFIX + "init_lora_weights", "gaussian");
            else meta.put(PREFIX + "init_lora_weights", true);
            w.metadata("format", "pt");
            w.metadata(METADATA_KEY, JSON.writeValueAsString(meta));
            w.write(target);
        }
    }

    /**
     * Reads the layout of {@code file} and maps every key onto a module of {@code moduleNames} (the model's
     * {@code namedModules().keySet()}); unknown naming or modules fail with every offending key listed.
     */
    public static Contents read(SafetensorsFile file, Collection<String> moduleNames) throws IOException {
        Map<String, String> byUnderscore = new HashMap<>();
        for (String m : moduleNames) byUnderscore.put(m.replace('.', '_'), m);
        Set<String> known = new LinkedHashSet<>(moduleNames);
        Map<String, String[]> ab = new TreeMap<>();
        Map<String, String> alphas = new HashMap<>();
        List<String> problems = new ArrayList<>();
        String format = null;
        for (String key : file.names()) {
            String k = stripPrefix(key);
            Matcher m;
            String module;
            int slot;
            if ((m = KOHYA.matcher(k)).matches()) {
                module = kohyaModule(m.group(1), known, byUnderscore);
                slot = m.group(2).equals("lora_down") ? 0 : 1;
                format = "kohya";
            } else if ((m = PEFT.matcher(k)).matches()) {
                module = m.group(1);
                slot = m.group(2).equals("A") ? 0 : 1;
                if (format == null) format = key.startsWith("diffusion_model.") ? "comfyui" : "diffusers";
            } else if ((m = LEGACY.matcher(k)).matches()) {
                module = m.group(1);
                slot = m.group(2).equals("down") ? 0 : 1;
                format = "diffusers-legacy";
            } else if ((m = ALPHA.matcher(k)).matches()) {
                String mod = kohyaModule(m.group(1), known, byUnderscore);
                if (mod == null) problems.add(key + ": alpha for an unknown module");
                else alphas.put(mod, key);
                continue;
            } else {
                problems.add(key + ": not a LoRA weight name (expected lora_A/lora_B, lora.down/up or lora_down/lora_up)");
                continue;
            }
            if (module == null || !known.contains(module)) {
                problems.add(key + ": no module '" + (module == null ? k : module) + "' in the model");
                continue;
            }
            String[] pair = ab.computeIfAbsent(module, x -> new String[2]);
            if (pair[slot] != null) problems.add(key + ": duplicate " + (slot == 0 ? "A/down" : "B/up") + " for " + module + " (also " + pair[slot] + ")");
            pair[slot] = key;
        }
        List<Entry> entries = new ArrayList<>();
        for (var e : ab.entrySet()) {
            String[] pair = e.getValue();
            if (pair[0] == null || pair[1] == null) {
                problems.add(e.getKey() + ": has only " + (pair[0] == null ? "B/up" : "A/down") + ", both matrices are needed");
                continue;
            }
            TensorInfo a = file.info(pair[0]);
            TensorInfo b = file.info(pair[1]);
            entries.add(new Entry(e.getKey(), pair[0], pair[1], alphas.get(e.getKey()), a.shape(), b.shape()));
        }
        if (!problems.isEmpty()) throw new IOException(file.describe() + ": cannot read as a LoRA file:\n  " + String.join("\n  ", problems));
        if (entries.isEmpty()) throw new IOException(file.describe() + ": no LoRA weights in the file");
        Double fileAlpha = null;
        List<String> targets = List.of();
        String metaJson = file.metadata() == null ? null : file.metadata().get(METADATA_KEY);
        if (metaJson != null) {
            JsonNode meta;
            try {
                meta = JSON.readTree(metaJson);
            } catch (IOException ex) {
                throw new IOException(file.describe() + ": metadata '" + METADATA_KEY + "' is not valid JSON", ex);
            }
            JsonNode alpha = meta.has(PREFIX + "lora_alpha") ? meta.get(PREFIX + "lora_alpha") : meta.get("lora_alpha");
            if (alpha != null && alpha.isNumber()) fileAlpha = alpha.asDouble();
            JsonNode t = meta.has(PREFIX + "target_modules") ? meta.get(PREFIX + "target_modules") : meta.get("target_modules");
            if (t != null && t.isArray()) {
                List<String> ts = new ArrayList<>();
                t.forEach(x -> ts.add(x.asText()));
                targets = List.copyOf(ts);
            }
        }
        String fmt = file.metadata() == null ? null : file.metadata().get("format");
        return new Contents(file.path(), entries, fileAlpha, targets, format + (fmt == null ? "" : " (format=" + fmt + ")"));
    }

    /**
     * Loads {@code file} as adapter {@code adapterName} (frozen, for inference or to continue from) with the given
     * adapter weight. Shapes are checked against the model first; nothing is changed when any does not fit.
     * Alpha: per-module {@code alpha} tensors (kohya), else the file's metadata, else alpha = rank (diffusers' default).
     */
    public static Map<String, LoraLinear> load(Path path, Module root, String adapterName, double weight) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            Map<String, Module> modules = root.namedModules();
            Contents contents = read(file, modules.keySet());
            List<String> bad = new ArrayList<>();
            for (Entry e : contents.entries()) {
                Module m = modules.get(e.module());
                if (!(m instanceof Linear lin)) {
                    bad.add(e.module() + ": not a Linear layer");
                    continue;
                }
                long r = e.bShape().length == 2 ? e.bShape()[1] : -1;
                boolean ok = e.aShape().length == 2 && e.bShape().length == 2 && e.aShape()[0] == r
                        && e.aShape()[1] == lin.inFeatures() && e.bShape()[0] == lin.outFeatures();
                if (!ok) {
                    bad.add(e.module() + ": A " + Arrays.toString(e.aShape()) + ", B " + Arrays.toString(e.bShape())
                            + " do not fit Linear(" + lin.inFeatures() + " -> " + lin.outFeatures() + "); expected A [r, "
                            + lin.inFeatures() + "], B [" + lin.outFeatures() + ", r]");
                }
                if (m instanceof LoraLinear l && l.adapters().containsKey(adapterName)) bad.add(e.module() + ": already has an adapter '" + adapterName + "'");
            }
            if (!bad.isEmpty()) {
                throw new IOException(path + ": LoRA does not fit this model (" + bad.size() + " modules):\n  " + String.join("\n  ", bad));
            }
            Map<String, LoraLinear> out = new LinkedHashMap<>();
            org.bytedeco.pytorch.Generator g = torch.createCPUGenerator(0);
            for (Entry e : contents.entries()) {
                Module m = modules.get(e.module());
                LoraLinear lora;
                if (m instanceof LoraLinear l) {
                    lora = l;
                } else {
                    lora = new LoraLinear((Linear) m);
                    int dot = e.module().lastIndexOf('.');
                    Module parent = dot < 0 ? root : modules.get(e.module().substring(0, dot));
                    parent.replaceChild(e.module().substring(dot + 1), lora);
                }
                double alpha = e.alphaKey() != null ? file.readFloats(e.alphaKey())[0]
                        : contents.fileAlpha() != null ? contents.fileAlpha() : e.rank();
                lora.addAdapter(adapterName, e.rank(), alpha, 0.0, LoraConfig.Init.KAIMING_UNIFORM, g);
                try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                    Tensor w = lora.weight().get();
                    lora.loraA(adapterName).set(file.load(e.aKey(), ScalarType.Float).to(w.device(), w.scalar_type()));
                    lora.loraB(adapterName).set(file.load(e.bKey(), ScalarType.Float).to(w.device(), w.scalar_type()));
                }
                lora.setAdapterWeight(adapterName, weight);
                out.put(e.module(), lora);
            }
            return out;
        }
    }

    private static String stripPrefix(String key) {
        for (String p : List.of("transformer.", "diffusion_model.", "base_model.model.")) {
            if (key.startsWith(p)) return key.substring(p.length());
        }
        return key;
    }

    /** kohya flattens dots to underscores; names with a dot are already model names. */
    private static String kohyaModule(String raw, Set<String> known, Map<String, String> byUnderscore) {
        if (known.contains(raw)) return raw;
        String s = raw;
        for (String p : List.of("lora_unet_", "lora_transformer_", "transformer_")) {
            if (s.startsWith(p)) {
                s = s.substring(p.length());
                break;
            }
        }
        if (known.contains(s)) return s;
        return byUnderscore.get(s);
    }
}

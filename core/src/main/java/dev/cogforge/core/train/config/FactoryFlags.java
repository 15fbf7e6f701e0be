package dev.cogforge.core.train.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cogforge.core.io.ConfigJson;

/**
 * The flags of cogvideox-factory's {@code training/cogvideox/args.py} (shared by the four CogVideoX scripts) plus
 * CogForge's own additions, mapped onto {@link RunConfig} keys. One table serves both the pasted-script importer and
 * the {@code cogforge train} command line, so the two never disagree. Flags CogForge cannot honour are reported,
 * never silently dropped.
 */
public final class FactoryFlags {
    public enum Kind { STRING, INT, FLOAT, BOOL, INT_LIST, STRING_LIST }

    /**
     * One flag. {@code key} is the RunConfig JSON key (null for flags handled specially); {@code unsupported} is the
     * reason CogForge ignores the flag, or null when it is applied; {@code extension} marks CogForge-only flags.
     */
    public record Flag(String name, Kind kind, String key, String unsupported, boolean extension) {
        public boolean supported() {
            return unsupported == null;
        }
    }

    /** A flag that was present but not applied, with its raw value(s) and why. */
    public record Ignored(String flag, String value, String reason) {
        @Override
        public String toString() {
            return flag + (value.isEmpty() ? "" : " " + value) + " (" + reason + ")";
        }
    }

    /**
     * The outcome of applying flags: the config, what was ignored, which values still hold unexpanded shell variables
     * (kept verbatim for text settings; typed settings keep their previous value), and hard errors (bad numbers,
     * missing values).
     */
    public record Result(RunConfig config, List<Ignored> ignored, List<String> unresolved, List<String> errors, List<String> notes) {
        public Result {
            ignored = List.copyOf(ignored);
            unresolved = List.copyOf(unresolved);
            errors = List.copyOf(errors);
            notes = List.copyOf(notes);
        }

        public void throwIfErrors() {
            if (errors.isEmpty()) return;
            throw new IllegalArgumentException("invalid training flags:\n  " + String.join("\n  ", errors));
        }
    }

    private static final Map<String, Flag> FLAGS = new LinkedHashMap<>();

    static {
        // model
        add("pretrained_model_name_or_path", Kind.STRING);
        add("revision", Kind.STRING);
        add("variant", Kind.STRING);
        add("cache_dir", Kind.STRING);
        // dataset
        add("data_root", Kind.STRING);
        add("dataset_file", Kind.STRING);
        add("video_column", Kind.STRING);
        add("caption_column", Kind.STRING);
        add("id_token", Kind.STRING);
        add("height_buckets", Kind.INT_LIST);
        add("width_buckets", Kind.INT_LIST);
        add("frame_buckets", Kind.INT_LIST);
        add("load_tensors", Kind.BOOL);
        add("random_flip", Kind.FLOAT);
        add("dataloader_num_workers", Kind.INT);
        add("pin_memory", Kind.BOOL);
        // validation
        add("validation_prompt", Kind.STRING);
        add("validation_images", Kind.STRING);
        add("validation_prompt_separator", Kind.STRING);
        add("num_validation_videos", Kind.INT);
        add("validation_epochs", Kind.INT);
        add("validation_steps", Kind.INT);
        add("guidance_scale", Kind.FLOAT);
        add("use_dynamic_cfg", Kind.BOOL);
        add("enable_model_cpu_offload", Kind.BOOL);
        // training
        add("seed", Kind.INT);
        add("rank", Kind.INT);
        add("lora_alpha", Kind.FLOAT);
        add("mixed_precision", Kind.STRING);
        add("output_dir", Kind.STRING);
        add("height", Kind.INT);
        add("width", Kind.INT);
        add("video_reshape_mode", Kind.STRING);
        add("fps", Kind.INT);
        add("max_num_frames", Kind.INT);
        add("skip_frames_start", Kind.INT);
        add("skip_frames_end", Kind.INT);
        add("train_batch_size", Kind.INT);
        add("num_train_epochs", Kind.INT);
        add("max_train_steps", Kind.INT);
        add("checkpointing_steps", Kind.INT);
        add("checkpoints_total_limit", Kind.INT);
        add("resume_from_checkpoint", Kind.STRING);
        add("gradient_accumulation_steps", Kind.INT);
        add("gradient_checkpointing", Kind.BOOL);
        add("learning_rate", Kind.FLOAT);
        add("scale_lr", Kind.BOOL);
        add("lr_scheduler", Kind.STRING);
        add("lr_warmup_steps", Kind.INT);
        add("lr_num_cycles", Kind.INT);
        add("lr_power", Kind.FLOAT);
        add("enable_slicing", Kind.BOOL);
        add("enable_tiling", Kind.BOOL);
        add("noised_image_dropout", Kind.FLOAT);
        add("ignore_learned_positional_embeddings", Kind.BOOL);
        // optimizer
        add("optimizer", Kind.STRING);
        FLAGS.put("use_8bit", new Flag("use_8bit", Kind.BOOL, null, null, false));
        unsupported("use_4bit", Kind.BOOL, "4-bit torchao optimizers are not implemented; use adamw8bit");
        unsupported("use_torchao", Kind.BOOL, "torchao optimizer backend is not available; CogForge has its own optimizers");
        add("beta1", Kind.FLOAT);
        add("beta2", Kind.FLOAT);
        add("beta3", Kind.FLOAT);
        add("prodigy_decouple", Kind.BOOL);
        add("weight_decay", Kind.FLOAT);
        add("epsilon", Kind.FLOAT);
        add("max_grad_norm", Kind.FLOAT);
        add("prodigy_use_bias_correction", Kind.BOOL);
        add("prodigy_safeguard_warmup", Kind.BOOL);
        unsupported("use_cpu_offload_optimizer", Kind.BOOL, "torchao CPUOffloadOptimizer is not available");
        unsupported("offload_gradients", Kind.BOOL, "needs torchao CPUOffloadOptimizer, not available");
        // configuration
        unsupported("tracker_name", Kind.STRING, "no experiment tracker; metrics go to <output_dir>/metrics.jsonl");
        add("push_to_hub", Kind.BOOL);
        unsupported("hub_token", Kind.STRING, "secrets are never stored in a run config; sign in with the studio or HF_TOKEN");
        add("hub_model_id", Kind.STRING);
        add("logging_dir", Kind.STRING);
        add("allow_tf32", Kind.BOOL);
        unsupported("nccl_timeout", Kind.INT, "single-process training, no NCCL");
        unsupported("report_to", Kind.STRING, "no wandb/tensorboard integration; metrics go to <output_dir>/metrics.jsonl");
        // CogForge additions (the seed encodes task and training type in the script name)
        extension("task", Kind.STRING);
        extension("training_type", Kind.STRING);
        extension("image_column", Kind.STRING);
        extension("target_modules", Kind.STRING_LIST);
        extension("num_inference_steps", Kind.INT);
        extension("lr_end", Kind.FLOAT);
        extension("prodigy_d_coef", Kind.FLOAT);
        extension("skip_bad_items", Kind.BOOL);
        extension("shard_optimizer_state", Kind.BOOL);
    }

    private FactoryFlags() {}

    private static void add(String name, Kind kind) {
        FLAGS.put(name, new Flag(name, kind, name, null, false));
    }

    private static void unsupported(String name, Kind kind, String reason) {
        FLAGS.put(name, new Flag(name, kind, null, reason, false));
    }

    private static void extension(String name, Kind kind) {
        FLAGS.put(name, new Flag(name, kind, name, null, true));
    }

    /** Every known flag (without the leading dashes), in args.py order, then CogForge's additions. */
    public static Map<String, Flag> all() {
        return Collections.unmodifiableMap(FLAGS);
    }

    /** Applies seed-style flags ({@code --rank 128 --frame_buckets 49 81 --gradient_checkpointing}) to a copy of {@code base}. */
    public static Result apply(RunConfig base, List<String> args) {
        ObjectNode json = ConfigJson.MAPPER.valueToTree(base);
        List<Ignored> ignored = new ArrayList<>();
        List<String> unresolved = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        boolean use8bit = false;
        for (int i = 0; i < args.size(); i++) {
            String tok = args.get(i);
            if (!tok.startsWith("--") || tok.length() == 2) {
                ignored.add(new Ignored(tok, "", "stray argument that belongs to no flag"));
                continue;
            }
            String name = tok.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            name = name.replace('-', '_');
            Flag flag = FLAGS.get(name);
            List<String> values = new ArrayList<>();
            if (inline != null) values.add(inline);
            if (flag == null) {
                while (inline == null && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) values.add(args.get(++i));
                ignored.add(new Ignored("--" + name, String.join(" ", values), "unknown flag"));
                continue;
            }
            switch (flag.kind()) {
                case BOOL -> {
                    if (inline != null) {
                        errors.add("--" + name + " is a switch and takes no value (got '" + inline + "')");
                        continue;
                    }
                }
                case INT_LIST, STRING_LIST -> {
                    while (inline == null && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) values.add(args.get(++i));
                    if (values.isEmpty()) {
                        errors.add("--" + name + " needs at least one value");
                        continue;
                    }
                }
                default -> {
                    if (inline == null) {
                        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                            errors.add("--" + name + " needs a value");
                            continue;
                        }
                        values.add(args.get(++i));
                    }
                }
            }
            if (!flag.supported()) {
                String shown = "hub_token".equals(name) ? (values.isEmpty() ? "" : "***") : String.join(" ", values);
                ignored.add(new Ignored("--" + name, shown, flag.unsupported()));
                continue;
            }
            if ("use_8bit".equals(name)) {
                use8bit = true;
                continue;
            }
            if ("optimizer".equals(name)) values.set(0, values.get(0).toLowerCase(Locale.ROOT));
            if ("optimizer".equals(name) && "came".equals(values.get(0))) {
                ignored.add(new Ignored("--optimizer", "came", "the CAME optimizer is not implemented; optimizer stays '" + json.path("optimizer").asText() + "'"));
                continue;
            }
            applyValue(json, flag, values, unresolved, errors);
        }
        if (use8bit) {
            String opt = json.path("optimizer").asText();
            switch (opt) {
                case "adam" -> json.put("optimizer", "adam8bit");
                case "adamw" -> json.put("optimizer", "adamw8bit");
                case "adam8bit", "adamw8bit" -> { }
                default -> errors.add("--use_8bit works only with --optimizer adam or adamw (got '" + opt + "')");
            }
            if (opt.equals("adam") || opt.equals("adamw")) notes.add("--use_8bit: optimizer '" + opt + "' becomes '" + json.path("optimizer").asText() + "' (block-wise 8-bit states)");
        }
        RunConfig config;
        try {
            config = ConfigJson.MAPPER.treeToValue(json, RunConfig.class);
        } catch (Exception e) {
            throw new IllegalStateException("flag table produced an unreadable config: " + e.getMessage(), e);
        }
        return new Result(config, ignored, unresolved, errors, notes);
    }

    private static void applyValue(ObjectNode json, Flag flag, List<String> values, List<String> unresolved, List<String> errors) {
        String key = flag.key();
        String shown = "--" + flag.name() + " " + String.join(" ", values);
        boolean hasVariable = values.stream().anyMatch(v -> v.contains("$"));
        switch (flag.kind()) {
            case BOOL -> json.put(key, true);
            case STRING -> {
                json.put(key, values.get(0));
                if (hasVariable) unresolved.add(shown + " (kept verbatim)");
            }
            case STRING_LIST -> {
                ArrayNode a = json.putArray(key);
                values.forEach(a::add);
                if (hasVariable) unresolved.add(shown + " (kept verbatim)");
            }
            case INT, FLOAT, INT_LIST -> {
                if (hasVariable) {
                    unresolved.add(shown + " (not a number; '" + key + "' keeps " + describe(json.get(key)) + ")");
                    return;
                }
                try {
                    if (flag.kind() == Kind.INT) json.put(key, parseInt(values.get(0)));
                    else if (flag.kind() == Kind.FLOAT) json.put(key, parseFloat(values.get(0)));
                    else {
                        ArrayNode a = ConfigJson.MAPPER.createArrayNode();
                        for (String v : values) a.add(parseInt(v));
                        json.set(key, a);
                    }
                } catch (NumberFormatException e) {
                    errors.add(shown + ": " + e.getMessage());
                }
            }
        }
    }

    private static long parseInt(String v) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new NumberFormatException("'" + v + "' is not an integer");
        }
    }

    private static double parseFloat(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        if (s.equals("inf") || s.equals("+inf")) return Double.POSITIVE_INFINITY;
        if (s.equals("-inf")) return Double.NEGATIVE_INFINITY;
        if (s.equals("nan")) return Double.NaN;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new NumberFormatException("'" + v + "' is not a number");
        }
    }

    private static String describe(JsonNode n) {
        return n == null || n.isNull() ? "its default (unset)" : "its default " + n;
    }
}

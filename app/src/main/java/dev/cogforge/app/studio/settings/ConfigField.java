package dev.cogforge.app.studio.settings;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.cogforge.core.train.config.RunConfig;
import dev.cogforge.core.train.config.RunConfigValidator;

/**
 * One editable setting of {@link RunConfig}, found by reflection over its public fields so that a field added to the
 * run config shows up in the form without touching the studio. Text is the single editing currency: numbers, lists
 * (comma separated) and optional values (blank = unset) all parse from it, and a parse failure becomes a problem on
 * the field instead of an exception.
 */
public record ConfigField(String key, Group group, Kind kind, boolean nullable, List<String> choices, Field field) {

    public enum Group {
        MODEL("Model"), DATA("Data & buckets"), LORA("LoRA"), OPTIMIZER("Optimizer"), SCHEDULE("Schedule"),
        VALIDATION("Validation"), MEMORY("Memory");

        private final String title;

        Group(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    public enum Kind { TEXT, INT, LONG, DOUBLE, BOOL, INT_LIST, TEXT_LIST }

    private static final Map<String, Group> GROUPS = groups();
    private static final Map<String, List<String>> CHOICES = Map.of(
            "task", sorted(RunConfigValidator.TASKS),
            "training_type", sorted(RunConfigValidator.TRAINING_TYPES),
            "optimizer", sorted(RunConfigValidator.OPTIMIZERS),
            "lr_scheduler", sorted(RunConfigValidator.LR_SCHEDULERS),
            "mixed_precision", sorted(RunConfigValidator.MIXED_PRECISIONS),
            "video_reshape_mode", sorted(RunConfigValidator.RESHAPE_MODES));

    /** Every setting of the run config, in declaration order ({@code version} is not a setting). */
    public static List<ConfigField> all() {
        List<ConfigField> out = new ArrayList<>();
        for (Field f : RunConfig.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isPublic(m) || Modifier.isStatic(m) || Modifier.isFinal(m) || f.getName().equals("version")) continue;
            String key = snake(f.getName());
            Kind kind = kindOf(f);
            boolean nullable = !f.getType().isPrimitive();
            out.add(new ConfigField(key, GROUPS.getOrDefault(key, Group.MODEL), kind, nullable, CHOICES.getOrDefault(key, List.of()), f));
        }
        return out;
    }

    /** The field's value in {@code config} as the form shows it. */
    public String format(RunConfig config) {
        Object v = get(config);
        if (v == null) return "";
        if (v instanceof List<?> list) return list.stream().map(String::valueOf).collect(Collectors.joining(", "));
        if (v instanceof Double d) return formatDouble(d);
        return v.toString();
    }

    /** Parses {@code text} into {@code config}; returns a message when the text is not a valid value, else null. */
    public String parseInto(RunConfig config, String text) {
        String t = text == null ? "" : text.strip();
        Object value;
        try {
            if (t.isEmpty() && nullable) {
                value = kind == Kind.INT_LIST || kind == Kind.TEXT_LIST ? new ArrayList<>() : null;
            } else {
                value = switch (kind) {
                    case TEXT -> t;
                    case INT -> Integer.parseInt(t);
                    case LONG -> Long.parseLong(t);
                    case DOUBLE -> Double.parseDouble(t);
                    case BOOL -> parseBool(t);
                    case INT_LIST -> parseIntList(t);
                    case TEXT_LIST -> new ArrayList<>(Arrays.stream(t.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
                };
            }
        } catch (NumberFormatException e) {
            return switch (kind) {
                case INT, LONG -> "'" + t + "' is not a whole number";
                case DOUBLE -> "'" + t + "' is not a number";
                case INT_LIST -> "'" + t + "' is not a comma-separated list of whole numbers";
                default -> "'" + t + "' is not valid";
            };
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        try {
            field.set(config, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("run config field " + field.getName() + " is not writable", e);
        }
        return null;
    }

    public Object get(RunConfig config) {
        try {
            return field.get(config);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("run config field " + field.getName() + " is not readable", e);
        }
    }

    private static Boolean parseBool(String t) {
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off", "" -> false;
            default -> throw new IllegalArgumentException("'" + t + "' is not true or false");
        };
    }

    private static List<Integer> parseIntList(String t) {
        List<Integer> out = new ArrayList<>();
        for (String s : t.split(",")) {
            String p = s.strip();
            if (!p.isEmpty()) out.add(Integer.parseInt(p));
        }
        return out;
    }

    static String formatDouble(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d) + ".0";
        return Double.toString(d);
    }

    private static Kind kindOf(Field f) {
        Class<?> t = f.getType();
        if (t == String.class) return Kind.TEXT;
        if (t == int.class || t == Integer.class) return Kind.INT;
        if (t == long.class || t == Long.class) return Kind.LONG;
        if (t == double.class || t == Double.class) return Kind.DOUBLE;
        if (t == boolean.class || t == Boolean.class) return Kind.BOOL;
        if (t == List.class && f.getGenericType() instanceof ParameterizedType p) {
            return p.getActualTypeArguments()[0] == Integer.class ? Kind.INT_LIST : Kind.TEXT_LIST;
        }
        throw new IllegalStateException("run config field " + f.getName() + " has a type the settings form cannot edit: " + t);
    }

    static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) b.append('_').append(Character.toLowerCase(c));
            else b.append(c);
        }
        return b.toString();
    }

    private static List<String> sorted(java.util.Set<String> s) {
        return s.stream().sorted().toList();
    }

    private static Map<String, Group> groups() {
        Map<String, Group> g = new java.util.HashMap<>();
        put(g, Group.MODEL, "pretrained_model_name_or_path", "revision", "variant", "cache_dir", "task", "training_type",
                "output_dir", "logging_dir", "push_to_hub", "hub_model_id", "seed");
        put(g, Group.DATA, "data_root", "dataset_file", "video_column", "caption_column", "image_column", "id_token",
                "height_buckets", "width_buckets", "frame_buckets", "load_tensors", "random_flip", "dataloader_num_workers",
                "pin_memory", "video_reshape_mode", "height", "width", "fps", "max_num_frames", "skip_frames_start",
                "skip_frames_end", "noised_image_dropout", "ignore_learned_positional_embeddings");
        put(g, Group.LORA, "rank", "lora_alpha", "target_modules");
        put(g, Group.OPTIMIZER, "optimizer", "beta1", "beta2", "beta3", "epsilon", "weight_decay", "max_grad_norm",
                "prodigy_decouple", "prodigy_use_bias_correction", "prodigy_safeguard_warmup", "prodigy_d_coef");
        put(g, Group.SCHEDULE, "train_batch_size", "num_train_epochs", "max_train_steps", "checkpointing_steps",
                "checkpoints_total_limit", "resume_from_checkpoint", "gradient_accumulation_steps", "learning_rate",
                "scale_lr", "lr_scheduler", "lr_warmup_steps", "lr_num_cycles", "lr_power", "lr_end");
        put(g, Group.VALIDATION, "validation_prompt", "validation_images", "validation_prompt_separator",
                "num_validation_videos", "validation_epochs", "validation_steps", "guidance_scale", "use_dynamic_cfg",
                "num_inference_steps");
        put(g, Group.MEMORY, "mixed_precision", "gradient_checkpointing", "enable_slicing", "enable_tiling",
                "enable_model_cpu_offload", "allow_tf32", "shard_optimizer_state", "ddp_overlap");
        return Map.copyOf(g);
    }

    private static void put(Map<String, Group> g, Group group, String... keys) {
        for (String k : keys) g.put(k, group);
    }
}

package dev.cogforge.core.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * The Hub model card (README.md): YAML front matter the Hub reads (base_model builds the adapter or finetune
 * relationship, widget gives the gallery, template:sd-lora marks a LoRA), then usage, training details and the
 * validation gallery. {@link #build} writes a LoRA's card, {@link #buildFull} a full fine-tune's.
 */
public record ModelCard(Map<String, Object> frontMatter, String markdown) {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HF_CACHE_DIR = Pattern.compile("models--([^/\\\\]+)--([^/\\\\]+)");
    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    /** What both cards read from the run: the base model, its license, the task, the trigger word and the prompts. */
    private record Basics(String baseRef, String baseId, String base, boolean i2v, String idToken, List<String> prompts,
                          Map<String, String> license, String licenseNote, String pipeline) {
        static Basics of(RunFolder run, ExportOptions options, String whatThisIs) {
            String baseRef = run.configString("base_model", "pretrained_model_name_or_path", "model_id", "base_model_path", "model_path");
            String baseId = options.baseModelId() != null ? options.baseModelId() : hubIdOf(baseRef);
            Path baseDir = localBaseDir(baseRef, options.mergeInto());
            boolean i2v = isImageToVideo(run, baseId, baseRef);
            Map<String, String> license = licenseOf(baseDir);
            String licenseNote = license.isEmpty()
                    ? "The base model's license could not be read (no README front matter found"
                    + (baseDir == null ? "" : " in " + baseDir) + "); " + whatThisIs + " is a derivative of "
                    + (baseId == null ? "the base model" : "`" + baseId + "`") + " and is subject to its license."
                    : null;
            String base = baseId != null ? baseId : (baseRef != null ? baseRef : "THUDM/CogVideoX-5b");
            return new Basics(baseRef, baseId, base, i2v, run.configString("id_token", "instance_prompt", "trigger_word", "trigger"),
                    validationPrompts(run), license, licenseNote, i2v ? "CogVideoXImageToVideoPipeline" : "CogVideoXPipeline");
        }

        String baseLink() {
            return baseId != null ? "[`" + baseId + "`](https://huggingface.co/" + baseId + ")" : "`" + base + "`";
        }

        String examplePrompt() {
            return prompts.isEmpty() ? (idToken != null ? idToken + ", a cinematic shot" : "a cinematic shot") : prompts.getFirst();
        }
    }

    /** base_model, library, license, tags, trigger word and the widget of validation videos (the Hub's gallery). */
    private static Map<String, Object> frontMatter(RunFolder run, Basics b, List<String> videos, String relation, List<String> tags) {
        Map<String, Object> fm = new LinkedHashMap<>();
        if (b.baseId() != null) {
            fm.put("base_model", b.baseId());
            if (relation != null) fm.put("base_model_relation", relation);
        }
        fm.put("library_name", "diffusers");
        if (b.license().isEmpty()) fm.put("license", "other");
        else fm.putAll(b.license());
        List<String> allTags = new ArrayList<>();
        allTags.add(b.i2v() ? "image-to-video" : "text-to-video");
        allTags.addAll(tags);
        fm.put("tags", allTags);
        if (b.idToken() != null) fm.put("instance_prompt", b.idToken());
        List<Map<String, Object>> widget = new ArrayList<>();
        for (int i = 0; i < videos.size(); i++) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("text", promptFor(videos.get(i), i, b.prompts(), run));
            w.put("output", Map.of("url", videos.get(i)));
            widget.add(w);
        }
        if (!widget.isEmpty()) fm.put("widget", widget);
        return fm;
    }

    static ModelCard build(RunFolder run, ExportOptions options, long rank, double alpha, String alphaSource,
                           List<String> videos, List<String> notes) throws IOException {
        Basics b = Basics.of(run, options, "this LoRA");
        Map<String, Object> fm = frontMatter(run, b, videos, null,
                List.of("lora", "cogvideox", "diffusers", "template:sd-lora", "cogforge"));
        boolean i2v = b.i2v();
        String idToken = b.idToken();
        String pipeline = b.pipeline();
        String base = b.base();

        double scale = alpha / rank;
        String scaleText = LoraExporter.formatNumber(scale);
        if (!scaleText.contains(".") && !scaleText.contains("E")) scaleText += ".0";
        StringBuilder md = new StringBuilder();
        md.append("---\n").append(YAML.writeValueAsString(fm)).append("---\n\n");
        String title = run.configString("run_name", "name", "output_name");
        md.append("# ").append(title != null ? title : "CogVideoX LoRA").append("\n\n<Gallery />\n\n");
        md.append("A LoRA (rank ").append(rank).append(", alpha ").append(LoraExporter.formatNumber(alpha))
                .append(") for ").append(b.baseLink()).append(", trained with CogForge Studio.\n\n");
        if (idToken != null) md.append("## Trigger words\n\nUse `").append(idToken).append("` in the prompt.\n\n");

        md.append("## Usage with diffusers\n\n```python\nimport torch\nfrom diffusers import ").append(pipeline)
                .append("\nfrom diffusers.utils import export_to_video").append(i2v ? ", load_image" : "").append("\n\n")
                .append("pipe = ").append(pipeline).append(".from_pretrained(\"").append(base).append("\", torch_dtype=torch.bfloat16).to(\"cuda\")\n")
                .append("pipe.load_lora_weights(\"<this repo or folder>\", weight_name=\"").append(RunFolder.LORA_FILE)
                .append("\", adapter_name=\"cogvideox-lora\")\n")
                .append("# the file carries no alpha: the trained scale is lora_alpha / rank = ")
                .append(LoraExporter.formatNumber(alpha)).append(" / ").append(rank).append("\n")
                .append("pipe.fuse_lora(lora_scale=").append(scaleText).append(")  # or pipe.set_adapters([\"cogvideox-lora\"], [")
                .append(scaleText).append("])\n\n");
        appendGenerate(md, b, "LoRA");
        md.append("See the diffusers [LoRA guide](https://huggingface.co/docs/diffusers/main/en/using-diffusers/loading_adapters) for more.\n\n");
        md.append("## Usage with ComfyUI\n\n");
        if (options.comfyui()) {
            md.append("`").append(LoraExporter.COMFYUI_FILE).append("` has kohya-style keys (`lora_unet_…lora_down/lora_up/alpha`, alpha stored) "
                    + "for kijai's ComfyUI-CogVideoXWrapper (CogVideoX-Fun models merge this format). ");
        }
        md.append("With kijai's ComfyUI-CogVideoXWrapper, put `").append(RunFolder.LORA_FILE)
                .append("` in `ComfyUI/models/CogVideo/loras` and set the LoRA strength to ").append(scaleText).append(".\n\n");
        if (options.mergeInto() != null) {
            md.append("## Merged transformer\n\n`transformer/` holds the full transformer with this LoRA merged in "
                    + "(W + ").append(scaleText).append(" · B · A, ").append(options.dtype()).append("). Load it with "
                    + "`CogVideoXTransformer3DModel.from_pretrained(\"<repo>\", subfolder=\"transformer\")` and pass it to the pipeline.\n\n");
        }

        md.append("## Training details\n\n| setting | value |\n|---|---|\n");
        row(md, "LoRA rank", Long.toString(rank));
        row(md, "LoRA alpha", LoraExporter.formatNumber(alpha) + " (" + alphaSource + ")");
        row(md, "inference scale (alpha / rank)", scaleText);
        appendRunDetails(md, run, options, b, videos, notes);
        return new ModelCard(fm, md.toString());
    }

    /**
     * The card of a full fine-tune: the export's {@code transformer/} replaces the base model's transformer in the
     * base model's pipeline, so the usage loads it with {@code subfolder="transformer"} and passes it in.
     */
    static ModelCard buildFull(RunFolder run, ExportOptions options, long parameters, int tensors, List<String> videos,
                               List<String> notes) throws IOException {
        Basics b = Basics.of(run, options, "this fine-tuned model");
        Map<String, Object> fm = frontMatter(run, b, videos, "finetune", List.of("cogvideox", "diffusers", "full-finetune", "cogforge"));
        String torchDtype = switch (options.dtype()) {
            case F16 -> "torch.float16";
            case F32 -> "torch.float32";
            default -> "torch.bfloat16";
        };
        StringBuilder md = new StringBuilder();
        md.append("---\n").append(YAML.writeValueAsString(fm)).append("---\n\n");
        String title = run.configString("run_name", "name", "output_name");
        md.append("# ").append(title != null ? title : "CogVideoX fine-tune").append("\n\n<Gallery />\n\n");
        md.append("A full fine-tune of the transformer of ").append(b.baseLink()).append(" (all ")
                .append(String.format(Locale.ROOT, "%,d", parameters)).append(" parameters trained), made with CogForge Studio. "
                        + "`transformer/` is a diffusers `CogVideoXTransformer3DModel` folder (").append(options.dtype())
                .append("); the VAE, text encoder, tokenizer and scheduler are the base model's.\n\n");
        if (b.idToken() != null) md.append("## Trigger words\n\nUse `").append(b.idToken()).append("` in the prompt.\n\n");

        md.append("## Usage with diffusers\n\n```python\nimport torch\nfrom diffusers import ").append(b.pipeline())
                .append(", CogVideoXTransformer3DModel\nfrom diffusers.utils import export_to_video").append(b.i2v() ? ", load_image" : "")
                .append("\n\n")
                .append("transformer = CogVideoXTransformer3DModel.from_pretrained(\"<this repo or folder>\", subfolder=\"transformer\", torch_dtype=")
                .append(torchDtype).append(")\n")
                .append("pipe = ").append(b.pipeline()).append(".from_pretrained(\"").append(b.base()).append("\", transformer=transformer, torch_dtype=")
                .append(torchDtype).append(").to(\"cuda\")\n\n");
        appendGenerate(md, b, "model");
        md.append("See the diffusers [CogVideoX docs](https://huggingface.co/docs/diffusers/main/en/api/pipelines/cogvideox) for more.\n\n");

        md.append("## Training details\n\n| setting | value |\n|---|---|\n");
        row(md, "training type", "full fine-tune (every transformer weight trained)");
        row(md, "transformer parameters", String.format(Locale.ROOT, "%,d in %d tensors", parameters, tensors));
        appendRunDetails(md, run, options, b, videos, notes);
        return new ModelCard(fm, md.toString());
    }

    /** The generation call of the usage snippet, closing the code block. */
    private static void appendGenerate(StringBuilder md, Basics b, String trainedThing) {
        if (b.i2v()) md.append("image = load_image(\"first_frame.png\")\n");
        md.append("video = pipe(").append(b.i2v() ? "image=image, " : "").append("prompt=").append(pyString(b.examplePrompt()))
                .append(", guidance_scale=6, use_dynamic_cfg=True, num_inference_steps=50).frames[0]\n")
                .append("export_to_video(video, \"output.mp4\", fps=8)\n```\n\n");
        if (b.i2v()) {
            md.append("Image-to-video: CogVideoX-5b-I2V was trained at 720x480 only, so pass a 720x480 first frame; "
                    + "CogVideoX1.5-5B-I2V accepts other resolutions (set `height`/`width`, multiples of 16, up to 1360 on the long side). "
                    + "Use the same resolutions the " + trainedThing + " was trained on for the best results.\n\n");
        }
    }

    /** Steps, loss, data and dtype rows, the full config, the video list, the license and the notes. */
    private static void appendRunDetails(StringBuilder md, RunFolder run, ExportOptions options, Basics b, List<String> videos,
                                         List<String> notes) {
        Long steps = run.lastStep();
        if (steps != null) row(md, "steps trained", Long.toString(steps));
        double[] loss = run.finalLoss(20);
        if (loss != null) {
            row(md, "final loss", String.format(Locale.ROOT, "%.5f (mean of last %d steps: %.5f)", loss[0], (int) loss[2], loss[1]));
        }
        Object datasetSize = run.configValue("dataset_size", "num_samples", "num_videos", "dataset_videos");
        if (datasetSize != null) row(md, "dataset size", datasetSize.toString());
        Object buckets = run.configValue("buckets", "video_resolution_buckets", "resolution_buckets");
        if (buckets != null) row(md, "buckets (frames x height x width)", toText(buckets));
        row(md, "export dtype", options.dtype().toString());
        md.append("\n<details><summary>Full run configuration</summary>\n\n| key | value |\n|---|---|\n");
        for (var e : LoraExporter.redactedConfig(run.config()).entrySet()) row(md, e.getKey(), toText(e.getValue()));
        md.append("\n</details>\n\n");

        if (!videos.isEmpty()) {
            md.append("## Validation videos\n\n");
            for (int i = 0; i < videos.size(); i++) {
                md.append("- [`").append(videos.get(i)).append("`](").append(videos.get(i)).append("): ")
                        .append(escapeCell(promptFor(videos.get(i), i, b.prompts(), run))).append('\n');
            }
            md.append('\n');
        }
        md.append("## License\n\n");
        if (b.licenseNote() != null) md.append(b.licenseNote()).append("\n");
        else md.append("Inherited from the base model: `").append(b.license().get("license")).append("`")
                .append(b.license().containsKey("license_link") ? " ([terms](" + b.license().get("license_link") + "))" : "").append(".\n");
        for (String n : notes) md.append("\n> Note: ").append(n).append('\n');
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(escapeCell(k)).append(" | ").append(escapeCell(v)).append(" |\n");
    }

    private static String escapeCell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static String toText(Object v) {
        if (v instanceof String s) return s;
        try {
            return JSON.writeValueAsString(v);
        } catch (IOException e) {
            return String.valueOf(v);
        }
    }

    private static String pyString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
    }

    /** A Hub id from an id, or from a path inside the HF cache (models--org--name/snapshots/...). */
    static String hubIdOf(String ref) {
        if (ref == null) return null;
        Matcher m = HF_CACHE_DIR.matcher(ref);
        if (m.find()) return m.group(1) + "/" + m.group(2);
        if (HUB_ID.matcher(ref).matches() && !Files.exists(Path.of(ref))) return ref;
        return null;
    }

    private static Path localBaseDir(String ref, Path mergeInto) {
        if (ref != null) {
            try {
                Path p = Path.of(ref);
                if (Files.isDirectory(p)) return p;
            } catch (RuntimeException ignored) {
                // not a path: a Hub id
            }
        }
        // --merge-into points at BASE/transformer; the model card sits in BASE
        if (mergeInto != null && mergeInto.toAbsolutePath().getParent() != null) return mergeInto.toAbsolutePath().getParent();
        return null;
    }

    /** license / license_name / license_link from the base model's README front matter; empty when unreadable. */
    static Map<String, String> licenseOf(Path baseDir) {
        Map<String, String> out = new LinkedHashMap<>();
        if (baseDir == null) return out;
        Path readme = baseDir.resolve("README.md");
        if (!Files.isRegularFile(readme)) return out;
        try {
            String text = Files.readString(readme);
            if (!text.startsWith("---")) return out;
            int end = text.indexOf("\n---", 3);
            if (end < 0) return out;
            Map<?, ?> yaml = YAML.readValue(text.substring(3, end), Map.class);
            if (yaml == null) return out;
            for (String k : List.of("license", "license_name", "license_link")) {
                Object v = yaml.get(k);
                if (v != null) out.put(k, v.toString());
            }
            if (!out.containsKey("license")) out.clear();
        } catch (IOException | RuntimeException e) {
            out.clear();
        }
        return out;
    }

    private static boolean isImageToVideo(RunFolder run, String baseId, String baseRef) {
        String task = run.configString("task", "model_type", "training_type", "pipeline");
        if (task != null && task.toLowerCase(Locale.ROOT).contains("i2v")) return true;
        for (String s : new String[]{baseId, baseRef}) if (s != null && s.toUpperCase(Locale.ROOT).contains("I2V")) return true;
        return false;
    }

    /** cogvideox-factory passes several validation prompts joined by ":::"; a list is accepted too. */
    static List<String> validationPrompts(RunFolder run) {
        Object v = run.configValue("validation_prompts", "validation_prompt");
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) l.forEach(x -> out.add(String.valueOf(x)));
        else if (v != null) for (String s : v.toString().split(":::")) if (!s.isBlank()) out.add(s.strip());
        return out;
    }

    /** A sidecar validation/NAME.txt wins; else the prompt whose index appears in the file name; else round-robin. */
    private static String promptFor(String video, int ordinal, List<String> prompts, RunFolder run) {
        Path sidecar = run.dir().resolve(video.replaceAll("\\.mp4$", ".txt"));
        try {
            if (Files.isRegularFile(sidecar)) return Files.readString(sidecar).strip();
        } catch (IOException ignored) {
            // fall back to the config's prompts
        }
        if (prompts.isEmpty()) return "validation video " + (ordinal + 1);
        Matcher m = Pattern.compile("(?:video|prompt)_?(\\d+)").matcher(video);
        if (m.find()) {
            int idx = Integer.parseInt(m.group(1));
            if (idx < prompts.size()) return prompts.get(idx);
        }
        return prompts.get(ordinal % prompts.size());
    }
}

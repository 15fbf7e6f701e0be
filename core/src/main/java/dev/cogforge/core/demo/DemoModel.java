package dev.cogforge.core.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.cogforge.core.data.SyntheticClips;
import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.io.ConfigJson;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.models.t5.T5Config;
import dev.cogforge.core.models.t5.T5Encoder;
import dev.cogforge.core.models.t5.T5Tokenizer;
import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;
import dev.cogforge.core.models.vae.VaeConfig;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.Parameter;
import dev.cogforge.core.train.config.RunConfig;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The tiny CogVideoX the studio and {@code cogforge train --demo} use on a CPU: a complete diffusers-format folder
 * (CogVideoXPipeline) sized for the bundled 80×48, 17-frame shape clips.
 *
 * <ul>
 * <li>VAE: 3 blocks [16, 32, 64], 1 layer per block, 8 latent channels: 4× space and 4× time, so a clip
 * {@code 17×48×80} becomes {@code 5×12×20} latents. Pre-trained here as an autoencoder ({@link VaePretrainer}); its
 * {@code scaling_factor} is 1 / the latent std it ends up with, so the transformer sees unit-variance latents.
 * <li>Transformer: 2b-style (3-D sincos positions, no rotary), 4 heads × 32 = 128 wide, 4 layers, patch 2 →
 * 5×6×10 = 300 video tokens; random, adaLN-zero-style initialisation (modulation and output projections start at
 * zero, so every block starts as the identity), trained by the user with full fine-tuning.
 * <li>Text encoder: T5 v1.1 layout, 2 layers, d_model 64, random weights (captions still encode differently);
 * the tokenizer is a real SentencePiece model with 500 pieces trained on English shape captions (resource
 * {@code spiece.model}, see the README next to it), padded to the pipelines' 226 tokens.
 * <li>Scheduler: CogVideoX DDIM, v-prediction, zero-terminal-SNR, {@code snr_shift_scale} 1.0: the 2b's 3.0 shifts
 * towards noise for its 60×90 latents; a 12×20 grid needs no shift.
 * </ul>
 *
 * Everything is derived from fixed seeds and a fixed number of pre-training steps: two builds with the same thread
 * count give identical bytes.
 */
public final class DemoModel {
    /** Bump when anything that changes the folder's bytes changes; an older folder is then rebuilt. */
    public static final String VERSION = "cogforge-demo-2";
    public static final String MARKER = "cogforge-demo.json";
    public static final String FOLDER = "demo-model-v2";
    public static final long SEED = 20_240_917L;
    public static final int LATENT_CHANNELS = 8;
    public static final int TEXT_DIM = 64;
    public static final int TOKENIZER_PIECES = 500;
    public static final int VOCAB_SIZE = 640;
    public static final String TOKENIZER_RESOURCE = "/dev/cogforge/core/demo/spiece.model";
    /**
     * The pre-training recipe: ~2 minutes of 2 CPU cores. Measured on the 16 sample clips (240 steps each, one thread,
     * PSNR / chroma error in 8-bit levels): the former lr 2e-3 without a colour term gave 18.3 dB / 41 (grey shapes; its
     * loss kept jumping back up), 2e-3 with the colour term 17.4 / 39, 5e-4 without it 18.9 / 35, 5e-4 with it
     * (weight 1, 2, 4) 19.6–19.9 / 23–26, 3e-4 with weight 1 19.9 / 24. So: a lower rate and the chroma term.
     */
    public static final VaePretrainer.Settings VAE_PRETRAINING = new VaePretrainer.Settings(240, 2, 9, 3e-4, 1e-4, 1.0, SEED + 7, 16);

    private DemoModel() {}

    /** Status lines while the folder is built (VAE pre-training progress, parameter counts). */
    public interface Listener {
        void message(String line);

        default void vaeProgress(VaePretrainer.Progress p) {
            if (p.step() == 1 || p.step() % 20 == 0 || p.step() == p.steps()) {
                message(String.format(java.util.Locale.ROOT, "VAE pre-training step %d/%d  loss %.5f  recon mse %.5f  %.0fs",
                        p.step(), p.steps(), p.loss(), p.reconstructionMse(), p.seconds()));
            }
        }
    }

    /** Creates the demo model under {@code cacheDir} unless it is already there; returns its folder. */
    public static Path ensure(Path cacheDir) throws IOException {
        return ensure(cacheDir, VAE_PRETRAINING, null);
    }

    /**
     * @param pretraining VAE pre-training recipe; anything other than {@link #VAE_PRETRAINING} (tests use a few
     *     steps) gets its own folder, so a quick build is never mistaken for the real demo model
     */
    public static Path ensure(Path cacheDir, VaePretrainer.Settings pretraining, Listener listener) throws IOException {
        Listener out = listener == null ? line -> { } : listener;
        String name = pretraining.equals(VAE_PRETRAINING) ? FOLDER : FOLDER + "-vae" + pretraining.steps() + "steps";
        Path target = cacheDir.resolve(name);
        if (isComplete(target)) return target;
        Files.createDirectories(cacheDir);
        if (Files.exists(target)) {
            out.message(target + " is incomplete or from another version: rebuilding it");
            deleteTree(target);
        }
        Path tmp = Files.createTempDirectory(cacheDir, "." + name + ".");
        try {
            build(tmp, pretraining, out);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // another process finished first; its folder is built from the same seeds
                if (!isComplete(target)) throw new IOException(target + " appeared while building but is incomplete", raced);
            }
        } finally {
            if (Files.exists(tmp)) deleteTree(tmp);
        }
        return target;
    }

    /** Whether {@code dir} holds a finished demo model of this version. */
    public static boolean isComplete(Path dir) {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) return false;
        try {
            return VERSION.equals(ConfigJson.MAPPER.readTree(marker.toFile()).path("version").asText());
        } catch (IOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ configs

    public static VaeConfig vaeConfig(double scalingFactor) {
        String block = VaeConfig.DOWN_BLOCK;
        return new VaeConfig(3, 3, List.of(block, block, block), List.of(VaeConfig.UP_BLOCK, VaeConfig.UP_BLOCK, VaeConfig.UP_BLOCK),
                List.of(16, 32, 64), LATENT_CHANNELS, 1, "silu", 1e-6, 8, 4.0, SyntheticClips.HEIGHT, SyntheticClips.WIDTH,
                scalingFactor, null, true, false, false, false);
    }

    static Map<String, Object> vaeConfigJson(VaeConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_class_name", "AutoencoderKLCogVideoX");
        m.put("_diffusers_version", "0.32.0");
        m.put("act_fn", c.actFn());
        m.put("block_out_channels", c.blockOutChannels());
        m.put("down_block_types", c.downBlockTypes());
        m.put("force_upcast", c.forceUpcast());
        m.put("in_channels", c.inChannels());
        m.put("invert_scale_latents", c.invertScaleLatents());
        m.put("latent_channels", c.latentChannels());
        m.put("latents_mean", null);
        m.put("latents_std", null);
        m.put("layers_per_block", c.layersPerBlock());
        m.put("norm_eps", c.normEps());
        m.put("norm_num_groups", c.normNumGroups());
        m.put("out_channels", c.outChannels());
        m.put("sample_height", c.sampleHeight());
        m.put("sample_width", c.sampleWidth());
        m.put("scaling_factor", c.scalingFactor());
        m.put("shift_factor", null);
        m.put("temporal_compression_ratio", c.temporalCompressionRatio());
        m.put("up_block_types", c.upBlockTypes());
        m.put("use_post_quant_conv", false);
        m.put("use_quant_conv", false);
        return m;
    }

    static Map<String, Object> transformerConfigJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_class_name", "CogVideoXTransformer3DModel");
        m.put("_diffusers_version", "0.32.0");
        m.put("activation_fn", "gelu-approximate");
        m.put("attention_bias", true);
        m.put("attention_head_dim", 32);
        m.put("dropout", 0.0);
        m.put("flip_sin_to_cos", true);
        m.put("freq_shift", 0);
        m.put("in_channels", LATENT_CHANNELS);
        m.put("max_text_seq_length", T5Tokenizer.DEFAULT_MAX_LENGTH);
        m.put("norm_elementwise_affine", true);
        m.put("norm_eps", 1e-5);
        m.put("num_attention_heads", 4);
        m.put("num_layers", 4);
        m.put("ofs_embed_dim", null);
        m.put("out_channels", LATENT_CHANNELS);
        m.put("patch_bias", true);
        m.put("patch_size", 2);
        m.put("patch_size_t", null);
        m.put("sample_frames", SyntheticClips.FRAMES);
        m.put("sample_height", SyntheticClips.HEIGHT / 4);
        m.put("sample_width", SyntheticClips.WIDTH / 4);
        // 1.0 instead of the 2b's 1.875: on a 6×10 patch grid the positions then stay a whole unit apart
        m.put("spatial_interpolation_scale", 1.0);
        m.put("temporal_compression_ratio", 4);
        m.put("temporal_interpolation_scale", 1.0);
        m.put("text_embed_dim", TEXT_DIM);
        m.put("time_embed_dim", 128);
        m.put("timestep_activation_fn", "silu");
        m.put("use_learned_positional_embeddings", false);
        m.put("use_rotary_positional_embeddings", false);
        return m;
    }

    static Map<String, Object> textEncoderConfigJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("T5EncoderModel"));
        m.put("classifier_dropout", 0.0);
        m.put("d_ff", 128);
        m.put("d_kv", 16);
        m.put("d_model", TEXT_DIM);
        m.put("decoder_start_token_id", 0);
        m.put("dense_act_fn", "gelu_new");
        m.put("dropout_rate", 0.1);
        m.put("eos_token_id", 1);
        m.put("feed_forward_proj", "gated-gelu");
        m.put("initializer_factor", 1.0);
        m.put("is_encoder_decoder", true);
        m.put("is_gated_act", true);
        m.put("layer_norm_epsilon", 1e-6);
        m.put("model_type", "t5");
        m.put("num_decoder_layers", 2);
        m.put("num_heads", 4);
        m.put("num_layers", 2);
        m.put("output_past", true);
        m.put("pad_token_id", 0);
        m.put("relative_attention_max_distance", 128);
        m.put("relative_attention_num_buckets", 32);
        m.put("tie_word_embeddings", false);
        m.put("torch_dtype", "float32");
        m.put("use_cache", true);
        m.put("vocab_size", VOCAB_SIZE);
        return m;
    }

    static Map<String, Object> schedulerConfigJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_class_name", "CogVideoXDDIMScheduler");
        m.put("_diffusers_version", "0.32.0");
        m.put("beta_end", 0.012);
        m.put("beta_schedule", "scaled_linear");
        m.put("beta_start", 0.00085);
        m.put("clip_sample", false);
        m.put("clip_sample_range", 1.0);
        m.put("num_train_timesteps", 1000);
        m.put("prediction_type", "v_prediction");
        m.put("rescale_betas_zero_snr", true);
        m.put("sample_max_value", 1.0);
        m.put("set_alpha_to_one", true);
        m.put("snr_shift_scale", 1.0);
        m.put("steps_offset", 0);
        m.put("timestep_spacing", "trailing");
        m.put("trained_betas", null);
        return m;
    }

    static Map<String, Object> modelIndexJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_class_name", "CogVideoXPipeline");
        m.put("_diffusers_version", "0.32.0");
        m.put("scheduler", List.of("diffusers", "CogVideoXDDIMScheduler"));
        m.put("text_encoder", List.of("transformers", "T5EncoderModel"));
        m.put("tokenizer", List.of("transformers", "T5Tokenizer"));
        m.put("transformer", List.of("diffusers", "CogVideoXTransformer3DModel"));
        m.put("vae", List.of("diffusers", "AutoencoderKLCogVideoX"));
        return m;
    }

    private static List<String> extraIdTokens() {
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < T5Tokenizer.DEFAULT_EXTRA_IDS; i++) extra.add(T5Tokenizer.extraIdToken(i));
        return extra;
    }

    static Map<String, Object> tokenizerConfigJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("additional_special_tokens", extraIdTokens());
        m.put("clean_up_tokenization_spaces", true);
        m.put("eos_token", T5Tokenizer.EOS);
        m.put("extra_ids", T5Tokenizer.DEFAULT_EXTRA_IDS);
        m.put("legacy", true);
        m.put("model_max_length", T5Tokenizer.DEFAULT_MAX_LENGTH);
        m.put("pad_token", T5Tokenizer.PAD);
        m.put("sp_model_kwargs", Map.of());
        m.put("tokenizer_class", "T5Tokenizer");
        m.put("unk_token", T5Tokenizer.UNK);
        return m;
    }

    static Map<String, Object> specialTokensMapJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("additional_special_tokens", extraIdTokens());
        m.put("eos_token", T5Tokenizer.EOS);
        m.put("pad_token", T5Tokenizer.PAD);
        m.put("unk_token", T5Tokenizer.UNK);
        return m;
    }

    // ------------------------------------------------------------------ build

    private static void build(Path dir, VaePretrainer.Settings pretraining, Listener out) throws IOException {
        Engine.ensureLoaded();
        long started = System.nanoTime();
        writeJson(dir.resolve("model_index.json"), modelIndexJson());
        writeJson(dir.resolve("scheduler/scheduler_config.json"), schedulerConfigJson());

        Path tokenizer = dir.resolve("tokenizer");
        Files.createDirectories(tokenizer);
        try (InputStream in = DemoModel.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (in == null) throw new IOException("resource " + TOKENIZER_RESOURCE + " is missing from this build");
            Files.write(tokenizer.resolve("spiece.model"), in.readAllBytes());
        }
        writeJson(tokenizer.resolve("tokenizer_config.json"), tokenizerConfigJson());
        writeJson(tokenizer.resolve("special_tokens_map.json"), specialTokensMapJson());

        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("version", VERSION);
        marker.put("seed", SEED);

        writeJson(dir.resolve("text_encoder/config.json"), textEncoderConfigJson());
        try (T5Encoder t5 = new T5Encoder(T5Config.read(dir.resolve("text_encoder/config.json")))) {
            initialize(t5, SEED + 1, name -> false);
            save(t5, dir.resolve("text_encoder/model.safetensors"));
            marker.put("text_encoder_parameters", t5.parameterCount());
            out.message("text encoder: T5 2 layers, d_model " + TEXT_DIM + ", " + t5.parameterCount() + " parameters (random)");
        }

        writeJson(dir.resolve("transformer/config.json"), transformerConfigJson());
        try (CogVideoXTransformer3D transformer = new CogVideoXTransformer3D(TransformerConfig.read(dir.resolve("transformer/config.json")))) {
            initialize(transformer, SEED + 2, DemoModel::startsAtZero);
            save(transformer, dir.resolve("transformer/diffusion_pytorch_model.safetensors"));
            marker.put("transformer_parameters", transformer.parameterCount());
            out.message("transformer: 4 layers, 4 heads x 32, " + transformer.parameterCount() + " parameters (random, adaLN-zero)");
        }

        try (AutoencoderKLCogVideoX vae = new AutoencoderKLCogVideoX(vaeConfig(1.0))) {
            initialize(vae, SEED + 3, name -> name.contains(".conv2."));
            out.message("VAE: blocks [16, 32, 64], " + LATENT_CHANNELS + " latent channels, " + vae.parameterCount()
                    + " parameters; pre-training " + pretraining.steps() + " steps on the sample clips");
            VaePretrainer.Result r;
            try (VaePretrainer trainer = new VaePretrainer(vae, pretraining)) {
                r = trainer.run(out::vaeProgress);
            }
            double scaling = roundTo6(1.0 / r.latentStd());
            VaeConfig config = vaeConfig(scaling);
            writeJson(dir.resolve("vae/config.json"), vaeConfigJson(config));
            save(vae, dir.resolve("vae/diffusion_pytorch_model.safetensors"));
            out.message(String.format(java.util.Locale.ROOT,
                    "VAE pre-training: PSNR %.2f dB -> %.2f dB, chroma error %.1f -> %.1f, mean-RGB error %.1f -> %.1f (8-bit levels)"
                            + " in %.1f s; latent std %.4f -> scaling_factor %s",
                    r.psnrBefore(), r.psnrAfter(), r.before().chromaError(), r.after().chromaError(), r.before().meanRgbError(),
                    r.after().meanRgbError(), r.seconds(), r.latentStd(), scaling));
            marker.put("vae_parameters", vae.parameterCount());
            Map<String, Object> recipe = new LinkedHashMap<>();
            recipe.put("steps", pretraining.steps());
            recipe.put("batch_size", pretraining.batchSize());
            recipe.put("frames", pretraining.frames());
            recipe.put("learning_rate", pretraining.learningRate());
            recipe.put("kl_weight", pretraining.klWeight());
            recipe.put("colour_weight", pretraining.colourWeight());
            recipe.put("seed", pretraining.seed());
            marker.put("vae_pretraining", recipe);
            marker.put("vae_psnr_db_before", round2(r.psnrBefore()));
            marker.put("vae_psnr_db_after", round2(r.psnrAfter()));
            marker.put("vae_chroma_error_before", round2(r.before().chromaError()));
            marker.put("vae_chroma_error_after", round2(r.after().chromaError()));
            marker.put("vae_mean_rgb_error_before", round2(r.before().meanRgbError()));
            marker.put("vae_mean_rgb_error_after", round2(r.after().meanRgbError()));
        }
        // written last: a folder without it is an interrupted build
        writeJson(dir.resolve(MARKER), marker);
        out.message(String.format(java.util.Locale.ROOT, "demo model built in %.1f s", (System.nanoTime() - started) / 1e9));
    }

    /** adaLN-zero (DiT): every block's modulation, the output norm's modulation and the output projection start at 0. */
    private static boolean startsAtZero(String name) {
        return name.matches("transformer_blocks\\.\\d+\\.norm[12]\\.linear\\..*") || name.startsWith("norm_out.linear.")
                || name.startsWith("proj_out.");
    }

    /**
     * PyTorch-like scale with a normal draw: weights {@code N(0, 1/fan_in)}, norm weights 1, biases 0, chosen
     * parameters 0; one seeded CPU generator walks the parameters in declaration order.
     */
    static void initialize(Module module, long seed, java.util.function.Predicate<String> zero) {
        Generator g = torch.createCPUGenerator(seed);
        for (var e : module.stateDict().entrySet()) {
            String name = e.getKey();
            Parameter p = e.getValue();
            long[] shape = p.shape();
            try (PointerScope scope = new PointerScope()) {
                TensorOptions f32 = new TensorOptions(ScalarType.Float);
                Tensor t;
                if (zero.test(name)) {
                    t = torch.zeros(shape, f32);
                } else if (shape.length == 1) {
                    String module1 = name.substring(0, Math.max(0, name.lastIndexOf('.')));
                    String last = module1.substring(module1.lastIndexOf('.') + 1);
                    boolean normWeight = name.endsWith(".weight") && last.contains("norm");
                    t = normWeight ? torch.ones(shape, f32) : torch.zeros(shape, f32);
                } else {
                    long fanIn = 1;
                    for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
                    t = torch.randn(shape, new GeneratorOptional(g), f32).mul_(new Scalar(1.0 / Math.sqrt(fanIn)));
                }
                p.set(t);
            }
        }
    }

    private static void save(Module module, Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        for (var e : module.stateDict().entrySet()) w.add(e.getKey(), e.getValue().get());
        w.write(file);
    }

    private static void writeJson(Path file, Object value) throws IOException {
        Files.createDirectories(file.getParent());
        ConfigJson.write(file, value);
    }

    private static double roundTo6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    // ------------------------------------------------------------------ training settings

    /** The two validation prompts: a translation and a growth, on different backgrounds. */
    public static List<String> validationPrompts() {
        List<SyntheticClips.Clip> clips = SyntheticClips.catalogue();
        return List.of(clips.get(0).caption(), clips.get(4).caption());
    }

    /**
     * The demo's training run: full fine-tuning of the tiny transformer (a LoRA on a random base can only reshape
     * attention of features that carry nothing yet), batch 4 of the 17×48×80 bucket, AdamW at 1e-3 after a short
     * warm-up, validation videos of two sample captions every 250 steps with 20 sampling steps and no classifier-free
     * guidance (the model never sees an empty caption in training, so guidance would extrapolate from noise).
     * Measured on 2 idle cores: ≈ 4.6 steps/s, so 1,500 steps take ≈ 5.5 minutes; after 400 steps at 5e-4 the
     * validation videos had only the background right (white or black), so the demo trains longer and faster.
     */
    public static RunConfig runConfig(Path modelDir, Path datasetDir, Path outputDir) {
        RunConfig c = RunConfig.defaults();
        c.pretrainedModelNameOrPath = modelDir.toAbsolutePath().toString();
        c.task = "t2v";
        c.trainingType = "full";
        c.dataRoot = datasetDir.toAbsolutePath().toString();
        c.captionColumn = "prompt.txt";
        c.videoColumn = "videos.txt";
        c.heightBuckets = new ArrayList<>(List.of(SyntheticClips.HEIGHT));
        c.widthBuckets = new ArrayList<>(List.of(SyntheticClips.WIDTH));
        c.frameBuckets = new ArrayList<>(List.of(SyntheticClips.FRAMES));
        c.height = SyntheticClips.HEIGHT;
        c.width = SyntheticClips.WIDTH;
        c.maxNumFrames = SyntheticClips.FRAMES;
        c.fps = (int) SyntheticClips.FPS;
        c.validationPrompt = String.join(c.validationPromptSeparator, validationPrompts());
        c.numValidationVideos = 1;
        c.validationSteps = 250;
        c.numInferenceSteps = 20;
        c.guidanceScale = 1.0;
        c.useDynamicCfg = false;
        c.seed = 42L;
        c.mixedPrecision = "no";
        c.outputDir = outputDir.toAbsolutePath().toString();
        c.trainBatchSize = 4;
        c.maxTrainSteps = 1500;
        c.checkpointingSteps = 500;
        c.checkpointsTotalLimit = 2;
        c.gradientAccumulationSteps = 1;
        c.gradientCheckpointing = false;
        c.learningRate = 1e-3;
        c.lrScheduler = "constant_with_warmup";
        c.lrWarmupSteps = 20;
        c.optimizer = "adamw";
        c.beta1 = 0.9;
        c.beta2 = 0.99;
        c.weightDecay = 1e-4;
        c.maxGradNorm = 1.0;
        return c;
    }

    /** For messages: {@code consumer} receives one line per build step. */
    public static Listener printingTo(Consumer<String> consumer) {
        return consumer::accept;
    }
}

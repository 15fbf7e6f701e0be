package dev.cogforge.core.train.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.cogforge.core.train.ModelDimensions;

/**
 * Checks a {@link RunConfig} before anything is loaded and reports every problem, not just the first. Checks that
 * need the checkpoint (rank against layer sizes, missing sub-folders, I2V channel layout) run only when
 * {@link ModelDimensions} are given.
 */
public final class RunConfigValidator {
    public static final Set<String> TASKS = Set.of("t2v", "i2v");
    public static final Set<String> TRAINING_TYPES = Set.of("lora", "full");
    public static final Set<String> OPTIMIZERS = Set.of("adam", "adamw", "adam8bit", "adamw8bit", "prodigy");
    public static final Set<String> LR_SCHEDULERS =
            Set.of("constant", "constant_with_warmup", "linear", "cosine", "cosine_with_restarts", "polynomial");
    public static final Set<String> MIXED_PRECISIONS = Set.of("no", "fp16", "bf16");
    public static final Set<String> RESHAPE_MODES = Set.of("center", "random", "none");
    /** VAE 8× spatial compression times the transformer's 2×2 patches. */
    public static final int SPATIAL_MULTIPLE = 16;

    private RunConfigValidator() {}

    public static ValidationReport validate(RunConfig c) {
        return validate(c, null);
    }

    public static ValidationReport validate(RunConfig c, ModelDimensions model) {
        List<ConfigProblem> p = new ArrayList<>();
        if (c.version != RunConfig.CURRENT_VERSION) p.add(ConfigProblem.error("version", "is " + c.version + ", expected " + RunConfig.CURRENT_VERSION));
        for (String k : c.unknownKeys.keySet()) p.add(ConfigProblem.warning(k, "unknown key, ignored by this version"));

        checkModelAndData(c, p);
        checkBuckets(c, p);
        checkLora(c, p);
        checkSchedule(c, p);
        checkOptimizer(c, p);
        checkValidation(c, p);
        checkPrecision(c, model, p);
        if (model != null) checkAgainstModel(c, model, p);
        return new ValidationReport(p);
    }

    private static void checkModelAndData(RunConfig c, List<ConfigProblem> p) {
        if (blank(c.pretrainedModelNameOrPath)) p.add(ConfigProblem.error("pretrained_model_name_or_path", "required: a model folder or Hub repo id"));
        if (!TASKS.contains(c.task)) p.add(ConfigProblem.error("task", "'" + c.task + "' is not one of " + sorted(TASKS)));
        if (!TRAINING_TYPES.contains(c.trainingType)) p.add(ConfigProblem.error("training_type", "'" + c.trainingType + "' is not one of " + sorted(TRAINING_TYPES)));
        if (blank(c.dataRoot) && blank(c.datasetFile)) p.add(ConfigProblem.error("data_root", "set data_root (prompt/video list files) or dataset_file (CSV)"));
        if (blank(c.captionColumn)) p.add(ConfigProblem.error("caption_column", "must not be empty"));
        if (blank(c.videoColumn)) p.add(ConfigProblem.error("video_column", "must not be empty"));
        if (blank(c.outputDir)) p.add(ConfigProblem.error("output_dir", "must not be empty"));
        if (c.dataloaderNumWorkers < 0) p.add(ConfigProblem.error("dataloader_num_workers", "must be >= 0, got " + c.dataloaderNumWorkers));
        if (c.randomFlip != null && (c.randomFlip < 0 || c.randomFlip > 1)) p.add(ConfigProblem.error("random_flip", "is a probability in [0, 1], got " + c.randomFlip));
        if (c.videoReshapeMode != null && !RESHAPE_MODES.contains(c.videoReshapeMode)) p.add(ConfigProblem.error("video_reshape_mode", "'" + c.videoReshapeMode + "' is not one of " + sorted(RESHAPE_MODES)));
        if (c.skipFramesStart < 0) p.add(ConfigProblem.error("skip_frames_start", "must be >= 0"));
        if (c.skipFramesEnd < 0) p.add(ConfigProblem.error("skip_frames_end", "must be >= 0"));
        if (c.noisedImageDropout < 0 || c.noisedImageDropout > 1) p.add(ConfigProblem.error("noised_image_dropout", "is a probability in [0, 1], got " + c.noisedImageDropout));
        if (!"i2v".equals(c.task)) {
            if (c.ignoreLearnedPositionalEmbeddings) p.add(ConfigProblem.warning("ignore_learned_positional_embeddings", "only used by image-to-video training"));
            if (c.imageColumn != null) p.add(ConfigProblem.warning("image_column", "only used by image-to-video training"));
        }
    }

    private static void checkBuckets(RunConfig c, List<ConfigProblem> p) {
        if (c.frameBuckets == null || c.frameBuckets.isEmpty()) {
            p.add(ConfigProblem.error("frame_buckets", "needs at least one frame count"));
        } else {
            for (Integer f : c.frameBuckets) {
                if (f == null || f < 1 || (f - 1) % 4 != 0) p.add(ConfigProblem.error("frame_buckets", f + " is not of the form 4k+1 (the VAE compresses 4 frames after the first)"));
                else if (f > c.maxNumFrames) p.add(ConfigProblem.warning("frame_buckets", f + " exceeds max_num_frames " + c.maxNumFrames + "; videos are truncated first, so this bucket is never filled"));
            }
        }
        if (c.maxNumFrames < 1 || (c.maxNumFrames - 1) % 4 != 0) p.add(ConfigProblem.error("max_num_frames", c.maxNumFrames + " is not of the form 4k+1"));
        checkSizes("height_buckets", c.heightBuckets, p);
        checkSizes("width_buckets", c.widthBuckets, p);
        if (c.height < SPATIAL_MULTIPLE || c.height % SPATIAL_MULTIPLE != 0) p.add(ConfigProblem.error("height", c.height + " is not a positive multiple of " + SPATIAL_MULTIPLE));
        if (c.width < SPATIAL_MULTIPLE || c.width % SPATIAL_MULTIPLE != 0) p.add(ConfigProblem.error("width", c.width + " is not a positive multiple of " + SPATIAL_MULTIPLE));
        if (c.fps < 1) p.add(ConfigProblem.error("fps", "must be >= 1, got " + c.fps));
    }

    private static void checkSizes(String key, List<Integer> sizes, List<ConfigProblem> p) {
        if (sizes == null || sizes.isEmpty()) {
            p.add(ConfigProblem.error(key, "needs at least one size"));
            return;
        }
        for (Integer s : sizes) {
            if (s == null || s < SPATIAL_MULTIPLE || s % SPATIAL_MULTIPLE != 0) {
                p.add(ConfigProblem.error(key, s + " is not a positive multiple of " + SPATIAL_MULTIPLE + " (VAE factor 8 x patch 2)"));
            }
        }
    }

    private static void checkLora(RunConfig c, List<ConfigProblem> p) {
        if (!"lora".equals(c.trainingType)) return;
        if (c.rank < 1) p.add(ConfigProblem.error("rank", "must be >= 1, got " + c.rank));
        if (!(c.loraAlpha > 0)) p.add(ConfigProblem.error("lora_alpha", "must be > 0, got " + c.loraAlpha));
        if (c.targetModules == null || c.targetModules.isEmpty()) p.add(ConfigProblem.error("target_modules", "needs at least one module name"));
    }

    private static void checkSchedule(RunConfig c, List<ConfigProblem> p) {
        if (c.trainBatchSize < 1) p.add(ConfigProblem.error("train_batch_size", "must be >= 1, got " + c.trainBatchSize));
        if (c.gradientAccumulationSteps < 1) p.add(ConfigProblem.error("gradient_accumulation_steps", "must be >= 1, got " + c.gradientAccumulationSteps));
        if (c.maxTrainSteps != null && c.maxTrainSteps < 1) p.add(ConfigProblem.error("max_train_steps", "must be >= 1, got " + c.maxTrainSteps));
        if (c.maxTrainSteps == null && c.numTrainEpochs < 1) p.add(ConfigProblem.error("num_train_epochs", "must be >= 1 when max_train_steps is not set, got " + c.numTrainEpochs));
        if (c.checkpointingSteps < 1) p.add(ConfigProblem.error("checkpointing_steps", "must be >= 1, got " + c.checkpointingSteps));
        if (c.checkpointsTotalLimit != null && c.checkpointsTotalLimit < 1) p.add(ConfigProblem.error("checkpoints_total_limit", "must be >= 1 when set, got " + c.checkpointsTotalLimit));
        if (c.resumeFromCheckpoint != null && c.resumeFromCheckpoint.isBlank()) p.add(ConfigProblem.error("resume_from_checkpoint", "is empty; use a checkpoint folder or 'latest'"));
        if (!(c.learningRate > 0)) p.add(ConfigProblem.error("learning_rate", "must be > 0, got " + c.learningRate));
        if (!LR_SCHEDULERS.contains(c.lrScheduler)) {
            p.add(ConfigProblem.error("lr_scheduler", "'" + c.lrScheduler + "' is not one of " + sorted(LR_SCHEDULERS)));
        } else {
            boolean warms = !"constant".equals(c.lrScheduler);
            if (c.lrWarmupSteps < 0) p.add(ConfigProblem.error("lr_warmup_steps", "must be >= 0, got " + c.lrWarmupSteps));
            if (warms && c.maxTrainSteps != null && c.lrWarmupSteps > c.maxTrainSteps) {
                p.add(ConfigProblem.error("lr_warmup_steps", c.lrWarmupSteps + " warmup steps exceed max_train_steps " + c.maxTrainSteps + ": the learning rate never reaches its peak"));
            }
            if ("cosine_with_restarts".equals(c.lrScheduler) && c.lrNumCycles < 1) p.add(ConfigProblem.error("lr_num_cycles", "must be >= 1, got " + c.lrNumCycles));
            if ("polynomial".equals(c.lrScheduler)) {
                if (!(c.lrPower > 0)) p.add(ConfigProblem.error("lr_power", "must be > 0, got " + c.lrPower));
                if (!(c.lrEnd < c.learningRate)) p.add(ConfigProblem.error("lr_end", c.lrEnd + " must be smaller than learning_rate " + c.learningRate));
            }
        }
    }

    private static void checkOptimizer(RunConfig c, List<ConfigProblem> p) {
        if (!OPTIMIZERS.contains(c.optimizer)) p.add(ConfigProblem.error("optimizer", "'" + c.optimizer + "' is not one of " + sorted(OPTIMIZERS)));
        checkBeta("beta1", c.beta1, p);
        checkBeta("beta2", c.beta2, p);
        if (c.beta3 != null) checkBeta("beta3", c.beta3, p);
        if (!(c.epsilon > 0)) p.add(ConfigProblem.error("epsilon", "must be > 0, got " + c.epsilon));
        if (!(c.weightDecay >= 0)) p.add(ConfigProblem.error("weight_decay", "must be >= 0, got " + c.weightDecay));
        if (!(c.maxGradNorm > 0)) p.add(ConfigProblem.error("max_grad_norm", "must be > 0, got " + c.maxGradNorm));
        if (!(c.prodigyDCoef > 0)) p.add(ConfigProblem.error("prodigy_d_coef", "must be > 0, got " + c.prodigyDCoef));
        if ("prodigy".equals(c.optimizer) && c.shardOptimizerState) {
            p.add(ConfigProblem.error("shard_optimizer_state", "Prodigy's step size d is estimated from sums over all parameters,"
                    + " which a rank holding only its share of the optimizer state cannot compute; use adamw, adam, adamw8bit"
                    + " or adam8bit with shard_optimizer_state, or turn it off"));
        }
        if ("prodigy".equals(c.optimizer)) {
            if (c.learningRate < 0.1 || c.learningRate > 10) p.add(ConfigProblem.warning("learning_rate", "Prodigy estimates the step size itself and expects learning_rate around 1.0, got " + c.learningRate));
        } else if (c.beta3 != null || c.prodigyDecouple || c.prodigyUseBiasCorrection || c.prodigySafeguardWarmup || c.prodigyDCoef != 1.0) {
            p.add(ConfigProblem.warning("optimizer", "Prodigy options are set but the optimizer is '" + c.optimizer + "'; they are ignored"));
        }
    }

    private static void checkBeta(String key, double v, List<ConfigProblem> p) {
        if (!(v >= 0 && v < 1)) p.add(ConfigProblem.error(key, "must be in [0, 1), got " + v));
    }

    private static void checkValidation(RunConfig c, List<ConfigProblem> p) {
        if (c.numValidationVideos < 1) p.add(ConfigProblem.error("num_validation_videos", "must be >= 1, got " + c.numValidationVideos));
        if (c.validationEpochs != null && c.validationEpochs < 1) p.add(ConfigProblem.error("validation_epochs", "must be >= 1 when set, got " + c.validationEpochs));
        if (c.validationSteps != null && c.validationSteps < 1) p.add(ConfigProblem.error("validation_steps", "must be >= 1 when set, got " + c.validationSteps));
        if (c.numInferenceSteps < 1) p.add(ConfigProblem.error("num_inference_steps", "must be >= 1, got " + c.numInferenceSteps));
        if (!(c.guidanceScale >= 0)) p.add(ConfigProblem.error("guidance_scale", "must be >= 0, got " + c.guidanceScale));
        if (c.validationPromptSeparator == null || c.validationPromptSeparator.isEmpty()) p.add(ConfigProblem.error("validation_prompt_separator", "must not be empty"));
        List<String> prompts = c.validationPrompts();
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i).isEmpty()) p.add(ConfigProblem.error("validation_prompt", "prompt " + (i + 1) + " of " + prompts.size() + " is empty (stray separator?)"));
        }
        if (!prompts.isEmpty() && c.validationEpochs == null && c.validationSteps == null) {
            p.add(ConfigProblem.warning("validation_epochs", "validation prompts are set but neither validation_epochs nor validation_steps: they are only used for the final test"));
        }
        List<String> images = c.validationImagePaths();
        if ("i2v".equals(c.task)) {
            if (!prompts.isEmpty() && images.isEmpty()) {
                p.add(ConfigProblem.error("validation_images", "image-to-video validation needs one image per prompt; none given for " + prompts.size() + " prompt(s)"));
            } else if (images.size() != prompts.size()) {
                p.add(ConfigProblem.error("validation_images", images.size() + " image(s) for " + prompts.size() + " validation prompt(s); they must pair up one to one"));
            }
        } else if (!images.isEmpty()) {
            p.add(ConfigProblem.warning("validation_images", "text-to-video ignores validation images"));
        }
    }

    private static void checkPrecision(RunConfig c, ModelDimensions model, List<ConfigProblem> p) {
        if (c.mixedPrecision != null && !MIXED_PRECISIONS.contains(c.mixedPrecision)) {
            p.add(ConfigProblem.error("mixed_precision", "'" + c.mixedPrecision + "' is not one of " + sorted(MIXED_PRECISIONS)));
            return;
        }
        boolean fiveB = model != null ? model.isFiveB()
                : c.pretrainedModelNameOrPath != null && c.pretrainedModelNameOrPath.toLowerCase(Locale.ROOT).contains("5b");
        if ("fp16".equals(c.mixedPrecision) && fiveB) {
            p.add(ConfigProblem.warning("mixed_precision", "the 5B models were trained in bf16; fp16 overflows in their activations (use bf16)"));
        }
    }

    private static void checkAgainstModel(RunConfig c, ModelDimensions m, List<ConfigProblem> p) {
        for (String part : List.of("transformer", "scheduler")) {
            if (!m.components().contains(part)) p.add(ConfigProblem.error("pretrained_model_name_or_path", m.name() + " has no '" + part + "' folder"));
        }
        boolean validates = !c.validationPrompts().isEmpty();
        boolean needsEncoders = !c.loadTensors || validates;
        String why = c.loadTensors ? "validation needs it" : "training from videos needs it (or use load_tensors with prepared latents)";
        for (String part : List.of("vae", "text_encoder", "tokenizer")) {
            if (needsEncoders && !m.components().contains(part)) p.add(ConfigProblem.error("pretrained_model_name_or_path", m.name() + " has no '" + part + "' folder; " + why));
        }
        boolean modelIsI2v = m.inChannels() == 2 * m.outChannels();
        if ("i2v".equals(c.task) && !modelIsI2v) p.add(ConfigProblem.error("task", "i2v needs an image-to-video checkpoint (in_channels = 2 x out_channels); " + m.name() + " has in_channels " + m.inChannels()));
        if ("t2v".equals(c.task) && modelIsI2v) p.add(ConfigProblem.error("task", m.name() + " is an image-to-video checkpoint; set task to i2v"));
        if ("lora".equals(c.trainingType) && c.rank > m.innerDim()) {
            p.add(ConfigProblem.error("rank", c.rank + " exceeds the width " + m.innerDim() + " of the attention projections (a LoRA rank beyond the layer size adds nothing)"));
        }
        if (m.patchSizeT() > 1 && c.frameBuckets != null) {
            for (Integer f : c.frameBuckets) {
                if (f != null && f >= 1 && m.latentFrames(f) % m.patchSizeT() != 0) {
                    p.add(ConfigProblem.error("frame_buckets", f + " frames give " + m.latentFrames(f) + " latent frames, not a multiple of the temporal patch " + m.patchSizeT() + " (e.g. use 85)"));
                }
            }
        }
        if (m.learnedPositionalEmbedding() && !c.ignoreLearnedPositionalEmbeddings) {
            boolean fixedSize = c.frameBuckets != null && c.frameBuckets.stream().allMatch(f -> f != null && f == 49)
                    && c.heightBuckets != null && c.heightBuckets.stream().allMatch(h -> h != null && h == 480)
                    && c.widthBuckets != null && c.widthBuckets.stream().allMatch(w -> w != null && w == 720);
            if (!fixedSize) p.add(ConfigProblem.error("ignore_learned_positional_embeddings", m.name() + " has a learned positional table for 49x480x720 only; restrict the buckets to that size or set ignore_learned_positional_embeddings"));
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}

package dev.cogforge.core.train.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.cogforge.core.io.ConfigJson;

/**
 * Everything one training run needs, as one versioned JSON document ({@code "version": 1}). Keys are the
 * cogvideox-factory flag names (snake_case) so a seed script and a saved run read alike; defaults are the seed's
 * {@code training/cogvideox/args.py} defaults. Choice-valued settings (task, optimizer, scheduler, precision) are kept
 * as strings so that a hand-edited file with a bad value still loads and {@link RunConfigValidator} can list every
 * problem at once instead of stopping at the first.
 *
 * <p>The fields are public and mutable on purpose: the flag importer, the CLI and the studio's forms all patch single
 * settings; {@link #copy()} gives an independent snapshot for a run.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"version"})
public final class RunConfig {
    public static final int CURRENT_VERSION = 1;
    public static final List<Integer> DEFAULT_RESOLUTION_BUCKETS =
            List.of(256, 320, 384, 480, 512, 576, 720, 768, 960, 1024, 1280, 1536);
    public static final List<String> DEFAULT_TARGET_MODULES = List.of("to_k", "to_q", "to_v", "to_out.0");

    public int version = CURRENT_VERSION;

    // ---- model
    /** Local diffusers folder or Hub repo id ({@code THUDM/CogVideoX-2b}). */
    public String pretrainedModelNameOrPath;
    public String revision;
    public String variant;
    public String cacheDir;
    /** {@code t2v} or {@code i2v}; the seed encodes it in the script name. */
    public String task = "t2v";
    /** {@code lora} or {@code full}; the seed encodes it in the script name ({@code _lora.py} / {@code _sft.py}). */
    public String trainingType = "lora";

    // ---- dataset
    public String dataRoot;
    public String datasetFile;
    public String videoColumn = "video";
    public String captionColumn = "text";
    /** I2V conditioning image column; null = first frame of each video, as the factory does. */
    public String imageColumn;
    public String idToken;
    public List<Integer> heightBuckets = new ArrayList<>(DEFAULT_RESOLUTION_BUCKETS);
    public List<Integer> widthBuckets = new ArrayList<>(DEFAULT_RESOLUTION_BUCKETS);
    public List<Integer> frameBuckets = new ArrayList<>(List.of(49));
    public boolean loadTensors;
    /** Horizontal flip probability; null = no flip. */
    public Double randomFlip;
    public int dataloaderNumWorkers = 0;
    public boolean pinMemory;
    /** null (stretch resize), {@code center}, {@code random} or {@code none}. */
    public String videoReshapeMode;
    public int height = 480;
    public int width = 720;
    public int fps = 8;
    public int maxNumFrames = 49;
    public int skipFramesStart = 0;
    public int skipFramesEnd = 0;
    /** Train on the usable clips when the dataset doctor finds errors (otherwise the run refuses to start). */
    public boolean skipBadItems;

    // ---- validation
    /** Raw prompt string; several prompts are joined by {@link #validationPromptSeparator}. */
    public String validationPrompt;
    /** Raw image paths (I2V), joined by the same separator, one per prompt. */
    public String validationImages;
    public String validationPromptSeparator = ":::";
    public int numValidationVideos = 1;
    public Integer validationEpochs;
    public Integer validationSteps;
    public double guidanceScale = 6.0;
    public boolean useDynamicCfg;
    public boolean enableModelCpuOffload;
    /** Sampling steps of validation videos (the pipeline default; the seed has no flag for it). */
    public int numInferenceSteps = 50;

    // ---- LoRA
    public int rank = 64;
    public double loraAlpha = 64;
    public List<String> targetModules = new ArrayList<>(DEFAULT_TARGET_MODULES);

    // ---- training
    public Long seed;
    /** null = accelerate's default (no mixed precision); otherwise {@code no}, {@code fp16}, {@code bf16}. */
    public String mixedPrecision;
    public String outputDir = "cogvideox-sft";
    public int trainBatchSize = 4;
    public int numTrainEpochs = 1;
    /** Overrides {@link #numTrainEpochs} when set. */
    public Integer maxTrainSteps;
    public int checkpointingSteps = 500;
    public Integer checkpointsTotalLimit;
    /** A checkpoint folder or {@code latest}. */
    public String resumeFromCheckpoint;
    public int gradientAccumulationSteps = 1;
    public boolean gradientCheckpointing;
    /**
     * Data-parallel runs: all-reduce each block's gradients while backward goes on with the next block (false = one
     * bucketed all-reduce after backward). Without gradient checkpointing the backward is then run block by block
     * (graphs kept, no recomputation). No effect on one process.
     */
    public boolean ddpOverlap = true;
    public double learningRate = 1e-4;
    public boolean scaleLr;
    public String lrScheduler = "constant";
    public int lrWarmupSteps = 500;
    public int lrNumCycles = 1;
    public double lrPower = 1.0;
    /** Final lr of the polynomial schedule (diffusers' fixed default). */
    public double lrEnd = 1e-7;
    public boolean enableSlicing;
    public boolean enableTiling;
    public double noisedImageDropout = 0.05;
    public boolean ignoreLearnedPositionalEmbeddings;
    public boolean allowTf32;

    // ---- optimizer
    /** {@code adam}, {@code adamw}, {@code adam8bit}, {@code adamw8bit} or {@code prodigy}. */
    public String optimizer = "adam";
    public double beta1 = 0.9;
    public double beta2 = 0.95;
    /** Prodigy only; null = sqrt(beta2). */
    public Double beta3;
    public double epsilon = 1e-8;
    public double weightDecay = 1e-4;
    public double maxGradNorm = 1.0;
    public boolean prodigyDecouple;
    public boolean prodigyUseBiasCorrection;
    public boolean prodigySafeguardWarmup;
    public double prodigyDCoef = 1.0;
    /**
     * ZeRO stage 1: with several processes each rank keeps the optimizer state of only its share of the trainable
     * parameters and broadcasts their updated values; with one process it changes nothing.
     */
    public boolean shardOptimizerState;

    // ---- logging / hub
    public String loggingDir = "logs";
    public boolean pushToHub;
    public String hubModelId;

    /** Keys this version does not know, kept so that a newer file survives a round trip; the validator warns. */
    @JsonIgnore
    public final Map<String, Object> unknownKeys = new LinkedHashMap<>();

    @JsonAnySetter
    void putUnknown(String key, Object value) {
        unknownKeys.put(key, value);
    }

    @JsonAnyGetter
    Map<String, Object> unknownForJson() {
        return unknownKeys;
    }

    public static RunConfig defaults() {
        return new RunConfig();
    }

    public static RunConfig load(Path file) throws IOException {
        RunConfig c = ConfigJson.read(file, RunConfig.class);
        if (c.version != CURRENT_VERSION) {
            throw new IOException(file + ": key 'version' is " + c.version + "; this build reads run config version "
                    + CURRENT_VERSION);
        }
        return c;
    }

    public static RunConfig fromJson(String json, String sourceName) throws IOException {
        RunConfig c = ConfigJson.read(json, RunConfig.class, sourceName);
        if (c.version != CURRENT_VERSION) {
            throw new IOException(sourceName + ": key 'version' is " + c.version + "; expected " + CURRENT_VERSION);
        }
        return c;
    }

    /** Written atomically: a crash never leaves a truncated run config. */
    public void save(Path file) throws IOException {
        ConfigJson.write(file, this);
    }

    public String toJson() {
        try {
            return ConfigJson.MAPPER.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("run config cannot be serialised", e);
        }
    }

    public RunConfig copy() {
        try {
            return fromJson(toJson(), "copy");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- derived values (typed views of the string settings)

    @JsonIgnore
    public boolean isImageToVideo() {
        return "i2v".equals(task);
    }

    @JsonIgnore
    public boolean isLora() {
        return "lora".equals(trainingType);
    }

    /** The precision actually used: an unset flag means no mixed precision. */
    @JsonIgnore
    public String effectiveMixedPrecision() {
        return mixedPrecision == null ? "no" : mixedPrecision;
    }

    /** Beta3 as Prodigy uses it. */
    @JsonIgnore
    public double effectiveBeta3() {
        return beta3 != null ? beta3 : Math.sqrt(beta2);
    }

    /** LoRA scaling {@code alpha / r}. */
    @JsonIgnore
    public double loraScale() {
        return loraAlpha / rank;
    }

    /** The learning rate after {@code --scale_lr} (grad accumulation × batch × processes; one process here). */
    @JsonIgnore
    public double effectiveLearningRate() {
        return scaleLr ? learningRate * gradientAccumulationSteps * trainBatchSize : learningRate;
    }

    @JsonIgnore
    public List<String> validationPrompts() {
        return split(validationPrompt);
    }

    @JsonIgnore
    public List<String> validationImagePaths() {
        return split(validationImages);
    }

    /** Optimizer steps of the run, as the factory computes them (max_train_steps, else epochs × updates per epoch). */
    public long totalOptimizerSteps(long batchesPerEpoch) {
        if (maxTrainSteps != null) return maxTrainSteps;
        long updatesPerEpoch = (batchesPerEpoch + gradientAccumulationSteps - 1) / gradientAccumulationSteps;
        return (long) numTrainEpochs * updatesPerEpoch;
    }

    private List<String> split(String joined) {
        if (joined == null || joined.isEmpty()) return List.of();
        String sep = validationPromptSeparator == null || validationPromptSeparator.isEmpty() ? ":::" : validationPromptSeparator;
        List<String> out = new ArrayList<>();
        for (String s : joined.split(java.util.regex.Pattern.quote(sep), -1)) out.add(s.strip());
        return out;
    }

    @Override
    public String toString() {
        return "RunConfig" + Arrays.toString(new Object[] {task, trainingType, pretrainedModelNameOrPath, optimizer});
    }
}

package dev.cogforge.core.models.t5;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.cogforge.core.io.TensorSource;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;
import dev.cogforge.core.nn.Parameter;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The T5 v1.1 encoder stack of transformers' {@code T5EncoderModel} (CogVideoX's {@code text_encoder}): token
 * embedding, pre-norm blocks of unscaled self-attention with a bucketed relative position bias (owned by block 0,
 * shared by all blocks, bidirectional) and a gated tanh-GELU feed-forward, then a final RMS norm. No Linear has a bias.
 *
 * <p>Parameters are declared with transformers' state-dict names and shapes only; nothing is allocated until
 * {@link #load}, which streams tensors one at a time from the source. Only {@code shared.weight} is declared for the
 * token embedding: {@code encoder.embed_tokens.weight} is the same tensor in transformers ({@link #TIED_ALIASES}),
 * and a checkpoint may hold either name or both.
 */
public final class T5Encoder extends Module {
    public static final String SHARED_KEY = "shared.weight";
    public static final String EMBED_TOKENS_KEY = "encoder.embed_tokens.weight";
    /** Checkpoint names that are tied to a declared parameter: alias -> declared name. */
    public static final Map<String, String> TIED_ALIASES = Map.of(EMBED_TOKENS_KEY, SHARED_KEY);

    private final T5Config config;
    private final WeightHolder shared;
    private final Stack encoder;
    private T5Tokenizer tokenizer;

    public T5Encoder(T5Config config) {
        config.validate("T5 config");
        this.config = config;
        this.shared = child("shared", new WeightHolder(config.vocabSize(), config.dModel()));
        this.encoder = child("encoder", new Stack(config));
    }

    /**
     * Builds the encoder from a repository's {@code text_encoder/config.json}, loads {@code weights} (e.g. the sharded
     * {@code model-0000N-of-0000M.safetensors} set) and attaches the {@code tokenizer/} folder's tokenizer. The caller
     * keeps ownership of {@code weights} and may close it as soon as this returns.
     */
    public static T5Encoder open(Path textEncoderConfig, TensorSource weights, Path tokenizerDir, ScalarType dtype,
                                 Device device) throws IOException {
        checkDtype(dtype);
        T5Encoder encoder = new T5Encoder(T5Config.read(textEncoderConfig));
        try {
            encoder.load(weights, dtype, device);
            return encoder.withTokenizer(T5Tokenizer.fromFolder(tokenizerDir));
        } catch (IOException | RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    public T5Config config() {
        return config;
    }

    /**
     * The names and shapes an official checkpoint carries: every declared parameter plus the tied alias
     * {@code encoder.embed_tokens.weight}, which transformers writes next to {@code shared.weight}.
     */
    public Map<String, long[]> checkpointKeys() {
        Map<String, long[]> out = new LinkedHashMap<>();
        stateDict().forEach((k, p) -> out.put(k, p.shape()));
        TIED_ALIASES.forEach((alias, target) -> out.put(alias, stateDict().get(target).shape()));
        return out;
    }

    /**
     * Loads every weight strictly from {@code source} (transformers' key names), converted to {@code dtype}, which must
     * be float32 or bfloat16: T5 v1.1 overflows in float16 (FFN activations exceed 65504).
     */
    public void load(TensorSource source, ScalarType dtype, Device device) throws IOException {
        checkDtype(dtype);
        try (TiedEmbeddingSource view = new TiedEmbeddingSource(source)) {
            loadStateDict(view, dtype, device);
        }
    }

    static void checkDtype(ScalarType requested) {
        ScalarType dtype = requested.intern();
        if (dtype == ScalarType.Half) {
            throw new IllegalArgumentException("the T5 text encoder cannot run in float16: T5 v1.1 activations overflow "
                    + "65504 in the feed-forward output; use float32 (CPU) or bfloat16 (GPU)");
        }
        if (dtype != ScalarType.Float && dtype != ScalarType.BFloat16) {
            throw new IllegalArgumentException("the T5 text encoder runs in float32 or bfloat16, not " + dtype);
        }
    }

    /** Attaches the tokenizer used by {@link #encodePrompts}; closed together with this encoder. */
    public T5Encoder withTokenizer(T5Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        return this;
    }

    public T5Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Tokenizes the prompts exactly like the CogVideoX pipelines (pad/truncate to the tokenizer's max length, EOS, no
     * attention mask) and encodes them: {@code [B, maxLength, d_model]} in the weights' dtype, without autograd.
     * The result belongs to the caller's {@code PointerScope}.
     */
    public Tensor encodePrompts(List<String> prompts) {
        if (tokenizer == null) throw new IllegalStateException("no tokenizer attached: call withTokenizer(...) first");
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to encode");
        long[][] ids = new long[prompts.size()][];
        for (int i = 0; i < ids.length; i++) ids[i] = tokenizer.encode(prompts.get(i));
        int len = ids[0].length;
        long[] flat = new long[ids.length * len];
        for (int i = 0; i < ids.length; i++) System.arraycopy(ids[i], 0, flat, i * len, len);
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor inputIds = dev.cogforge.core.engine.Tensors.fromLongs(flat, ids.length, len);
            Device device = shared.weight.get().device();
            if (!device.is_cpu()) inputIds = inputIds.to(device, ScalarType.Long);
            return forward(inputIds);
        }
    }

    /**
     * {@code last_hidden_state} for {@code inputIds [B, S]} (int64). No attention mask, as the CogVideoX pipelines
     * call it: padding positions attend and are attended to. Temporaries of each block are freed as it finishes;
     * the result belongs to the caller's {@code PointerScope}.
     */
    public Tensor forward(Tensor inputIds) {
        if (inputIds.dim() != 2) throw new IllegalArgumentException("input_ids must be [batch, seq], got " + inputIds.dim() + " dims");
        if (inputIds.numel() > 0) {
            long lo = inputIds.min().item_long();
            long hi = inputIds.max().item_long();
            if (lo < 0 || hi >= config.vocabSize()) {
                throw new IllegalArgumentException("token id out of range [0, " + config.vocabSize() + "): min " + lo + ", max " + hi);
            }
        }
        Tensor x = torch.embedding(shared.weight.get(), inputIds);
        Tensor bias = positionBias(inputIds.size(1), inputIds.size(1));
        Tensor carried = null;
        try {
            for (Block block : encoder.blocks) {
                Tensor next;
                try (PointerScope scope = new PointerScope()) {
                    next = block.forward(x, bias);
                    next.retainReference();
                }
                if (carried != null) carried.releaseReference();
                carried = next;
                x = next;
            }
            return encoder.finalLayerNorm.forward(x);
        } finally {
            if (carried != null) carried.releaseReference();
        }
    }

    /** {@code [1, heads, q, k]} bias from block 0's table, in the table's dtype. */
    public Tensor positionBias(long queryLength, long keyLength) {
        Tensor buckets = relativePositionBucket(queryLength, keyLength, config.relativeAttentionNumBuckets(),
                config.relativeAttentionMaxDistance());
        Tensor table = encoder.blocks.get(0).attention.attention.relativeAttentionBias.weight.get();
        if (!table.device().is_cpu()) buckets = buckets.to(table.device(), ScalarType.Long);
        return torch.embedding(table, buckets).permute(2, 0, 1).unsqueeze(0);
    }

    /**
     * Bidirectional T5 bucket of {@code key_pos - query_pos}, {@code [q, k]} int64. Half the buckets are for positive
     * offsets; within each half, small distances get their own bucket and larger ones share logarithmic buckets up to
     * {@code maxDistance}. Computed with the same float32 tensor ops as transformers so truncation at bucket edges
     * (exact powers of the log base) agrees bit for bit.
     */
    public static Tensor relativePositionBucket(long queryLength, long keyLength, int numBuckets, int maxDistance) {
        TensorOptions longs = new TensorOptions(ScalarType.Long);
        Tensor context = torch.arange(new Scalar(queryLength), longs).unsqueeze(1);
        Tensor memory = torch.arange(new Scalar(keyLength), longs).unsqueeze(0);
        Tensor relative = memory.sub(context);
        long half = numBuckets / 2;
        long maxExact = half / 2;
        Tensor buckets = relative.gt(new Scalar(0L)).to(ScalarType.Long).mul(new Scalar(half));
        Tensor distance = relative.abs();
        Tensor isSmall = distance.lt(new Scalar(maxExact));
        Tensor large = distance.to(ScalarType.Float).div(new Scalar((double) maxExact)).log()
                .div(new Scalar(Math.log((double) maxDistance / maxExact)))
                .mul(new Scalar((double) (half - maxExact)))
                .to(ScalarType.Long).add(new Scalar(maxExact));
        large = large.clamp_max(new Scalar(half - 1));
        return buckets.add(torch.where(isSmall, distance, large));
    }

    @Override
    public void close() {
        super.close();
        if (tokenizer != null) {
            tokenizer.close();
            tokenizer = null;
        }
    }

    /** T5LayerNorm: scale-only RMS norm computed in float32, cast back to a half-precision weight's dtype. */
    static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        Tensor variance = x.to(ScalarType.Float).pow(new Scalar(2.0)).mean(new long[] {-1}, true, new ScalarTypeOptional());
        Tensor normed = x.mul(variance.add(new Scalar(eps)).rsqrt());
        ScalarType wt = weight.scalar_type().intern();
        if (wt == ScalarType.BFloat16 || wt == ScalarType.Half) normed = normed.to(wt);
        return weight.mul(normed);
    }

    /** A module holding just {@code weight} (an embedding table or a norm scale). */
    static final class WeightHolder extends Module {
        final Parameter weight;

        WeightHolder(long... shape) {
            this.weight = parameter("weight", shape);
        }
    }

    /** A named list of children ("0", "1", ...), like torch's ModuleList. */
    static final class ModuleList extends Module {
        <M extends Module> M add(M module) {
            return child(Integer.toString(children().size()), module);
        }
    }

    static final class RmsNorm extends Module {
        final Parameter weight;
        private final double eps;

        RmsNorm(long dim, double eps) {
            this.weight = parameter("weight", dim);
            this.eps = eps;
        }

        Tensor forward(Tensor x) {
            return rmsNorm(x, weight.get(), eps);
        }
    }

    static final class Stack extends Module {
        final List<Block> blocks;
        final RmsNorm finalLayerNorm;

        Stack(T5Config c) {
            ModuleList list = child("block", new ModuleList());
            Block[] bs = new Block[c.numLayers()];
            for (int i = 0; i < bs.length; i++) bs[i] = list.add(new Block(c, i == 0));
            this.blocks = List.of(bs);
            this.finalLayerNorm = child("final_layer_norm", new RmsNorm(c.dModel(), c.layerNormEpsilon()));
        }
    }

    static final class Block extends Module {
        final SelfAttentionLayer attention;
        final FeedForwardLayer feedForward;

        Block(T5Config c, boolean ownsPositionBias) {
            ModuleList layers = child("layer", new ModuleList());
            this.attention = layers.add(new SelfAttentionLayer(c, ownsPositionBias));
            this.feedForward = layers.add(new FeedForwardLayer(c));
        }

        Tensor forward(Tensor x, Tensor positionBias) {
            Tensor h = attention.forward(x, positionBias);
            return feedForward.forward(h);
        }
    }

    static final class SelfAttentionLayer extends Module {
        final Attention attention;
        final RmsNorm layerNorm;

        SelfAttentionLayer(T5Config c, boolean ownsPositionBias) {
            this.attention = child("SelfAttention", new Attention(c, ownsPositionBias));
            this.layerNorm = child("layer_norm", new RmsNorm(c.dModel(), c.layerNormEpsilon()));
        }

        Tensor forward(Tensor x, Tensor positionBias) {
            return x.add(attention.forward(layerNorm.forward(x), positionBias));
        }
    }

    static final class Attention extends Module {
        final Linear q, k, v, o;
        final WeightHolder relativeAttentionBias;
        private final long heads;
        private final long headDim;

        Attention(T5Config c, boolean ownsPositionBias) {
            long inner = c.innerDim();
            this.heads = c.numHeads();
            this.headDim = c.dKv();
            this.q = child("q", new Linear(c.dModel(), inner, false));
            this.k = child("k", new Linear(c.dModel(), inner, false));
            this.v = child("v", new Linear(c.dModel(), inner, false));
            this.o = child("o", new Linear(inner, c.dModel(), false));
            this.relativeAttentionBias = ownsPositionBias
                    ? child("relative_attention_bias", new WeightHolder(c.relativeAttentionNumBuckets(), c.numHeads()))
                    : null;
        }

        Tensor forward(Tensor h, Tensor positionBias) {
            long b = h.size(0), s = h.size(1);
            Tensor query = q.forward(h).view(b, s, heads, headDim).transpose(1, 2);
            Tensor key = k.forward(h).view(b, s, heads, headDim).transpose(1, 2);
            Tensor value = v.forward(h).view(b, s, heads, headDim).transpose(1, 2);
            // T5 folds 1/sqrt(d) into its initialisation, so scores are not scaled here.
            Tensor scores = torch.matmul(query, key.transpose(3, 2)).add(positionBias);
            Tensor weights = torch.softmax(scores.to(ScalarType.Float), -1).to(scores.scalar_type().intern());
            Tensor context = torch.matmul(weights, value).transpose(1, 2).contiguous().view(b, s, heads * headDim);
            return o.forward(context);
        }
    }

    static final class FeedForwardLayer extends Module {
        final Linear wi0, wi1, wo;
        final RmsNorm layerNorm;

        FeedForwardLayer(T5Config c) {
            Container ff = child("DenseReluDense", new Container());
            this.wi0 = ff.put("wi_0", new Linear(c.dModel(), c.dFf(), false));
            this.wi1 = ff.put("wi_1", new Linear(c.dModel(), c.dFf(), false));
            this.wo = ff.put("wo", new Linear(c.dFf(), c.dModel(), false));
            this.layerNorm = child("layer_norm", new RmsNorm(c.dModel(), c.layerNormEpsilon()));
        }

        Tensor forward(Tensor x) {
            Tensor h = layerNorm.forward(x);
            Tensor gated = torch.gelu(wi0.forward(h), "tanh").mul(wi1.forward(h));
            return x.add(wo.forward(gated));
        }
    }

    /** A plain container whose children are added by name. */
    static final class Container extends Module {
        <M extends Module> M put(String name, M module) {
            return child(name, module);
        }
    }
}

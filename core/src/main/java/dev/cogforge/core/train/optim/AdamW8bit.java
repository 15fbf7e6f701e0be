package dev.cogforge.core.train.optim;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cogforge.core.engine.Tensors;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Adam/AdamW whose two moments live as block-wise 8-bit codes ({@link BlockwiseQuantizer}): about 2 bytes of state
 * per parameter plus one float32 scale per block, instead of 8. Each step dequantises the moments, applies exactly
 * the {@link AdamW} update in float32 and requantises with fresh per-block scales. The default block size 256 is
 * current bitsandbytes' ({@code BLOCKSIZE_2STATE}; releases before 0.45 used 2048): smaller blocks isolate outliers
 * at a cost of 4/256 bytes per value.
 *
 * <p>One deliberate difference from bitsandbytes: the second moment is stored as {@code sqrt(v)}, the scale Adam
 * actually divides by. {@code v} spans twice as many decades as the gradients, so storing it directly rounds the
 * {@code v} of any element whose gradient is ~3.5 decades below its block's largest to zero while its first moment
 * is still representable, and the update {@code m / (0 + eps)} explodes (observed on a toy quadratic with curvatures
 * spread over two decades). With {@code sqrt(v)} both moments need the same dynamic range.
 */
public final class AdamW8bit extends AbstractOptimizer {
    public static final int DEFAULT_BLOCK_SIZE = 256;

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean decoupled;
    private final BlockwiseQuantizer signedQ;
    private final BlockwiseQuantizer unsignedQ;

    public AdamW8bit(List<ParamGroup> groups, double beta1, double beta2, double eps, boolean decoupled, int blockSize) {
        super(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
        this.signedQ = new BlockwiseQuantizer(true, blockSize);
        this.unsignedQ = new BlockwiseQuantizer(false, blockSize);
    }

    @Override
    public String type() {
        return decoupled ? "adamw8bit" : "adam8bit";
    }

    public int blockSize() {
        return signedQ.blockSize();
    }

    @Override
    protected void update(List<List<Tensor>> gradsPerGroup) {
        forEachGradient(gradsPerGroup, (group, p, grad) -> {
            long n = p.tensor().numel();
            long nb = signedQ.blocks(n);
            Tensor mCodes = stateTensor(p, "exp_avg_codes", ScalarType.Byte, n);
            Tensor mScale = stateTensor(p, "exp_avg_absmax", ScalarType.Float, nb);
            Tensor vCodes = stateTensor(p, "exp_avg_sq_sqrt_codes", ScalarType.Byte, n);
            Tensor vScale = stateTensor(p, "exp_avg_sq_sqrt_absmax", ScalarType.Float, nb);
            long[] shape = Tensors.shape(p.tensor());
            Tensor m = signedQ.dequantize(mCodes, mScale, shape).contiguous();
            Tensor vRoot = unsignedQ.dequantize(vCodes, vScale, shape);
            Tensor v = vRoot.mul(vRoot).contiguous();
            AdamW.decayAndUpdate(this, p, grad, m, v, incrementStep(p), group, decoupled, beta1, beta2, eps);
            signedQ.quantize(m, mCodes, mScale);
            unsignedQ.quantize(v.sqrt(), vCodes, vScale);
        });
    }

    @Override
    protected void writeJson(ObjectNode json) {
        json.put("beta1", beta1).put("beta2", beta2).put("eps", eps).put("decoupled_weight_decay", decoupled)
                .put("block_size", blockSize()).put("code_book", "dynamic-7-decades");
    }

    @Override
    protected void readJson(JsonNode json) {
        if (json.path("block_size").asInt(blockSize()) != blockSize()) {
            throw new IllegalArgumentException("optimizer state uses block size " + json.path("block_size").asInt() + ", this optimizer " + blockSize());
        }
    }

    @Override
    public void close() {
        super.close();
        signedQ.close();
        unsignedQ.close();
    }
}

package dev.cogforge.core.models.cogvideox;

import static dev.cogforge.core.models.cogvideox.Ops.s;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The 3-D rotary tables of CogVideoX 5b / 1.5, rebuilt like cogvideox-factory's
 * {@code prepare_rotary_positional_embeddings} (== the pipelines' {@code _prepare_rotary_positional_embeddings})
 * on top of diffusers' {@code get_3d_rotary_pos_embed}: float32 {@code cos, sin [T*h*w, headDim]}, rows in
 * (t, y, x) order, columns {@code [t(headDim/4) | y(3headDim/8) | x(3headDim/8)]}, each frequency repeated twice.
 */
public final class RotaryEmbedding {
    private RotaryEmbedding() {}

    /** The two tables. They are plain constants: no gradient flows into them. */
    public record Tables(Tensor cos, Tensor sin) {
        public Tables to(org.bytedeco.pytorch.Device device) {
            return new Tables(cos.to(device, ScalarType.Float), sin.to(device, ScalarType.Float));
        }
    }

    /** A crop region of the base grid: start (top, left) and stop (bottom, right). */
    public record CropRegion(int top, int left, int bottom, int right) {}

    /**
     * {@code get_resize_crop_region_for_grid}: fit the (rows, cols) grid into the base grid keeping aspect, centred.
     * Python's {@code round} rounds half to even, hence {@link Math#rint}.
     */
    public static CropRegion resizeCropRegion(int rows, int cols, int baseWidth, int baseHeight) {
        double r = (double) rows / cols;
        int resizeHeight;
        int resizeWidth;
        if (r > (double) baseHeight / baseWidth) {
            resizeHeight = baseHeight;
            resizeWidth = (int) Math.rint((double) baseHeight / rows * cols);
        } else {
            resizeWidth = baseWidth;
            resizeHeight = (int) Math.rint((double) baseWidth / cols * rows);
        }
        int top = (int) Math.rint((baseHeight - resizeHeight) / 2.0);
        int left = (int) Math.rint((baseWidth - resizeWidth) / 2.0);
        return new CropRegion(top, left, top + resizeHeight, left + resizeWidth);
    }

    /**
     * Tables for a latent video of {@code latentFrames} frames at {@code heightPx x widthPx} pixels.
     *
     * @param patchSizeT null for CogVideoX 1.0 ("linspace" grid cropped from the base grid); 1.5 uses the "slice"
     *                   grid over {@code ceil(latentFrames / patchSizeT)} temporal positions
     * @param baseHeightPx the model's {@code sample_height * vaeScale} (pixels)
     */
    public static Tables prepare(int heightPx, int widthPx, int latentFrames, int vaeScaleFactorSpatial, int patchSize,
            Integer patchSizeT, int headDim, int baseHeightPx, int baseWidthPx) {
        int gridHeight = heightPx / (vaeScaleFactorSpatial * patchSize);
        int gridWidth = widthPx / (vaeScaleFactorSpatial * patchSize);
        int baseGridWidth = baseWidthPx / (vaeScaleFactorSpatial * patchSize);
        int baseGridHeight = baseHeightPx / (vaeScaleFactorSpatial * patchSize);
        TensorOptions f32 = new TensorOptions(ScalarType.Float);
        Tensor gridH;
        Tensor gridW;
        Tensor gridT;
        int temporalSize;
        if (patchSizeT == null) {
            CropRegion crop = resizeCropRegion(gridHeight, gridWidth, baseGridWidth, baseGridHeight);
            temporalSize = latentFrames;
            gridH = torch.linspace(s(crop.top()), s(crop.bottom() * (gridHeight - 1) / (double) gridHeight), gridHeight, f32);
            gridW = torch.linspace(s(crop.left()), s(crop.right() * (gridWidth - 1) / (double) gridWidth), gridWidth, f32);
            gridT = torch.linspace(s(0), s(temporalSize * (temporalSize - 1) / (double) temporalSize), temporalSize, f32);
        } else {
            temporalSize = (latentFrames + patchSizeT - 1) / patchSizeT;
            if (gridHeight > baseGridHeight || gridWidth > baseGridWidth) {
                throw new IllegalArgumentException("rotary grid " + gridHeight + "x" + gridWidth + " exceeds the model's maximum "
                        + baseGridHeight + "x" + baseGridWidth + " (sample_height/sample_width in config.json)");
            }
            gridH = torch.arange(s(gridHeight), f32);
            gridW = torch.arange(s(gridWidth), f32);
            gridT = torch.arange(s(temporalSize), f32);
        }
        int dimT = headDim / 4;
        int dimH = headDim / 8 * 3;
        int dimW = headDim / 8 * 3;
        Tensor[] t = rope1d(dimT, gridT);
        Tensor[] h = rope1d(dimH, gridH);
        Tensor[] w = rope1d(dimW, gridW);
        return new Tables(combine(t[0], h[0], w[0], temporalSize, gridHeight, gridWidth),
                combine(t[1], h[1], w[1], temporalSize, gridHeight, gridWidth));
    }

    private static Tensor combine(Tensor ft, Tensor fh, Tensor fw, int frames, int rows, int cols) {
        Tensor a = ft.unsqueeze(1).unsqueeze(1).expand(frames, rows, cols, ft.size(1));
        Tensor b = fh.unsqueeze(0).unsqueeze(2).expand(frames, rows, cols, fh.size(1));
        Tensor c = fw.unsqueeze(0).unsqueeze(0).expand(frames, rows, cols, fw.size(1));
        return Ops.cat(-1, a, b, c).reshape((long) frames * rows * cols, -1);
    }

    /** diffusers {@code get_1d_rotary_pos_embed(use_real=True, repeat_interleave_real=True)}, float32. */
    private static Tensor[] rope1d(int dim, Tensor pos) {
        if (dim % 2 != 0) throw new IllegalArgumentException("rotary dim " + dim + " must be even");
        Tensor exps = torch.arange(s(0), s(dim), s(2), new TensorOptions(ScalarType.Float)).narrow(0, 0, dim / 2).div(s(dim));
        Tensor freqs = torch.pow(s(10000.0), exps).reciprocal();
        Tensor ang = torch.outer(pos, freqs);
        return new Tensor[] {torch.repeat_interleave(ang.cos(), 2).view(ang.size(0), dim),
                torch.repeat_interleave(ang.sin(), 2).view(ang.size(0), dim)};
    }

    /**
     * Rotates interleaved pairs {@code (x[2i], x[2i+1])} of the last dimension: {@code x·cos + rot(x)·sin} with
     * {@code rot(x) = [-x1, x0, -x3, x2, ...]}, computed in float32 and cast back to the input dtype.
     * {@code rot(x)·sin} is formed as {@code swap(x)·(sin·[-1, +1, -1, +1, ...])}: the same products (negation is
     * exact) from one flip instead of two strided selects, a negation and a stack, whose backward zero-fills a
     * full-size gradient per select.
     */
    public static Tensor apply(Tensor x, Tables tables) {
        long dim = x.size(-1);
        if (dim % 2 != 0) throw new IllegalArgumentException("rotary needs an even last dimension, got " + dim);
        Tensor x32 = x.to(ScalarType.Float);
        long[] shape = dev.cogforge.core.engine.Tensors.shape(x32);
        long[] pairShape = java.util.Arrays.copyOf(shape, shape.length + 1);
        pairShape[shape.length - 1] = dim / 2;
        pairShape[shape.length] = 2;
        Tensor swapped = x32.reshape(pairShape).flip(new long[] {-1}).flatten(-2, -1);
        Tensor out = x32.mul(tables.cos()).add(swapped.mul(signedSin(tables.sin())));
        return out.to(x.scalar_type());
    }

    /** {@code sin} with the even columns negated: {@code rot(x)·sin == swap(x)·signedSin(sin)}. */
    private static Tensor signedSin(Tensor sin) {
        long rows = sin.size(0);
        long dim = sin.size(1);
        Tensor sign = dev.cogforge.core.engine.Tensors.fromFloats(new float[] {-1f, 1f}, 2).to(sin.device(), sin.scalar_type());
        return sin.reshape(rows, dim / 2, 2).mul(sign).view(rows, dim);
    }
}

package dev.cogforge.core.models.cogvideox;

import static dev.cogforge.core.models.cogvideox.Ops.s;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The computed (never stored) tables of the transformer: the timestep sinusoid and the 3-D sincos positional table.
 * They are built with the same tensor ops and dtypes as diffusers v0.32 so that the float32 rounding matches.
 */
public final class Embeddings {
    private Embeddings() {}

    /**
     * diffusers {@code get_timestep_embedding}: float32 {@code [N, dim]} with {@code [sin, cos]} halves, swapped to
     * {@code [cos, sin]} when {@code flipSinToCos}.
     */
    public static Tensor timestepSinusoid(Tensor timesteps, int dim, boolean flipSinToCos, double downscaleFreqShift) {
        if (timesteps.dim() != 1) throw new IllegalArgumentException("timesteps must be 1-D, got " + timesteps.dim() + " dims");
        int half = dim / 2;
        Tensor exponent = torch.arange(s(0), s(half), new TensorOptions(ScalarType.Float)).mul(s(-Math.log(10000.0)));
        exponent = exponent.div(s(half - downscaleFreqShift));
        Tensor freqs = exponent.exp().to(timesteps.device(), ScalarType.Float);
        Tensor args = timesteps.unsqueeze(1).to(ScalarType.Float).mul(freqs.unsqueeze(0));
        Tensor sin = args.sin();
        Tensor cos = args.cos();
        Tensor emb = flipSinToCos ? Ops.cat(-1, cos, sin) : Ops.cat(-1, sin, cos);
        if (dim % 2 == 1) emb = torch.constant_pad_nd(emb, new long[] {0, 1, 0, 0}, s(0));
        return emb;
    }

    /**
     * diffusers {@code CogVideoXPatchEmbed._get_positional_embeddings}: a float32 {@code [1, textLen + T*h*w, dim]}
     * table whose text rows are zero and whose video rows are {@code [temporal(dim/4), spatial(3dim/4)]}, the spatial
     * half being {@code [sincos(x), sincos(y)]} (width coordinate first, as diffusers' meshgrid produces it).
     */
    public static Tensor sincosTable(int dim, int textLength, int latentFrames, int patchRows, int patchCols,
            double spatialInterpolationScale, double temporalInterpolationScale) {
        if (dim % 4 != 0) throw new IllegalArgumentException("embed_dim " + dim + " must be divisible by 4");
        int spatialDim = 3 * dim / 4;
        int temporalDim = dim / 4;
        TensorOptions f32 = new TensorOptions(ScalarType.Float);
        // positions are float32 (arange / scale) and meet float64 frequencies, as in diffusers' torch path
        Tensor xs = torch.arange(s(patchCols), f32).div(s(spatialInterpolationScale));
        Tensor ys = torch.arange(s(patchRows), f32).div(s(spatialInterpolationScale));
        Tensor xGrid = xs.unsqueeze(0).expand(patchRows, patchCols).reshape(-1);
        Tensor yGrid = ys.unsqueeze(1).expand(patchRows, patchCols).reshape(-1);
        Tensor spatial = Ops.cat(1, sincos1d(spatialDim / 2, xGrid), sincos1d(spatialDim / 2, yGrid)); // [h*w, 3D/4]
        Tensor ts = torch.arange(s(latentFrames), f32).div(s(temporalInterpolationScale));
        Tensor temporal = sincos1d(temporalDim, ts); // [T, D/4]
        long hw = (long) patchRows * patchCols;
        Tensor video = Ops.cat(-1,
                temporal.unsqueeze(1).expand(latentFrames, hw, temporalDim),
                spatial.unsqueeze(0).expand(latentFrames, hw, spatialDim)).reshape(latentFrames * hw, dim);
        Tensor table = torch.zeros(new long[] {1, textLength + latentFrames * hw, dim}, f32);
        table.narrow(1, textLength, latentFrames * hw).copy_(video.unsqueeze(0));
        return table;
    }

    /** float64 {@code [M, dim]}: {@code [sin(pos ⊗ ω), cos(pos ⊗ ω)]}, {@code ω_i = 10000^(-i/(dim/2))}. */
    private static Tensor sincos1d(int dim, Tensor pos) {
        if (dim % 2 != 0) throw new IllegalArgumentException("embed_dim must be divisible by 2");
        Tensor omega = torch.arange(s(dim / 2), new TensorOptions(ScalarType.Double)).div(s(dim / 2.0));
        omega = torch.pow(s(10000.0), omega).reciprocal();
        Tensor out = torch.outer(pos.to(ScalarType.Double), omega);
        return Ops.cat(1, out.sin(), out.cos());
    }
}

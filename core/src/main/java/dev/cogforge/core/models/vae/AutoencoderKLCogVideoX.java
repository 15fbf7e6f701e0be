package dev.cogforge.core.models.vae;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.nn.Module;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * CogVideoX's 3-D causal VAE ({@code AutoencoderKLCogVideoX}, diffusers v0.32 behaviour). Video is
 * {@code [B, C, T, H, W]} in [-1, 1]; latents are {@code [B, latent, 1 + (T-1)/4, H/8, W/8]} for the real models.
 *
 * <p>By default time is processed in chunks (8 sample frames / 2 latent frames, the first chunk taking the
 * remainder) with the causal-conv cache carried between chunks, exactly like diffusers: group-norm statistics are
 * per chunk, so switching {@link #setFrameBatching frame batching} off changes the numbers slightly.
 * {@link #setSlicing Slicing} processes one batch element at a time; {@link #setTiling tiling} processes
 * overlapping spatial tiles and blends them. Every chunk runs in its own {@link PointerScope}; results are handed
 * to the caller's scope. Encoding and decoding run without autograd.
 */
public final class AutoencoderKLCogVideoX extends Module {
    public static final int DEFAULT_SAMPLE_FRAMES_PER_CHUNK = 8;
    public static final int DEFAULT_LATENT_FRAMES_PER_CHUNK = 2;

    private final VaeConfig config;
    private final Encoder encoder;
    private final Decoder decoder;
    private boolean frameBatching = true;
    private int sampleFramesPerChunk = DEFAULT_SAMPLE_FRAMES_PER_CHUNK;
    private int latentFramesPerChunk = DEFAULT_LATENT_FRAMES_PER_CHUNK;
    private boolean slicing;
    private boolean tiling;
    private TileSettings tiles;

    /** Declares every parameter's shape; no weight memory is allocated until a state dict is loaded. */
    public AutoencoderKLCogVideoX(VaeConfig config) {
        List<String> problems = config.problems();
        if (!problems.isEmpty()) throw new IllegalArgumentException("unsupported VAE config: " + String.join("; ", problems));
        this.config = config;
        this.encoder = child("encoder", new Encoder(config));
        this.decoder = child("decoder", new Decoder(config));
        this.tiles = TileSettings.defaults(config);
    }

    /**
     * Builds from a diffusers {@code vae/} folder ({@code config.json} + {@code diffusion_pytorch_model.safetensors},
     * any of fp32/fp16/bf16 in the file) and loads it strictly, converting to {@code dtype}.
     */
    public static AutoencoderKLCogVideoX load(Path vaeFolder, ScalarType dtype, Device device) throws IOException {
        VaeConfig config = VaeConfig.read(vaeFolder.resolve("config.json"));
        Path weights = vaeFolder.resolve("diffusion_pytorch_model.safetensors");
        AutoencoderKLCogVideoX vae = new AutoencoderKLCogVideoX(config);
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            vae.loadStateDict(f, dtype, device);
        } catch (IOException | RuntimeException e) {
            vae.close();
            throw e;
        }
        return vae;
    }

    public VaeConfig config() {
        return config;
    }

    public Encoder encoder() {
        return encoder;
    }

    public Decoder decoder() {
        return decoder;
    }

    /** diffusers' {@code use_framewise_encoding/decoding}: chunk time (default on). */
    public void setFrameBatching(boolean on) {
        this.frameBatching = on;
    }

    /** diffusers' {@code num_sample_frames_batch_size} / {@code num_latent_frames_batch_size} (8 / 2). */
    public void setFrameBatchSizes(int sampleFrames, int latentFrames) {
        if (sampleFrames < 1 || latentFrames < 1) {
            throw new IllegalArgumentException("frame batch sizes must be >= 1, got " + sampleFrames + " / " + latentFrames);
        }
        this.sampleFramesPerChunk = sampleFrames;
        this.latentFramesPerChunk = latentFrames;
    }

    public boolean frameBatching() {
        return frameBatching;
    }

    /** diffusers' {@code enable_slicing}: one batch element at a time (same numbers, less memory). */
    public void setSlicing(boolean on) {
        this.slicing = on;
    }

    public boolean slicing() {
        return slicing;
    }

    /** Tiling with the current tile settings (diffusers' defaults unless changed). */
    public void setTiling(boolean on) {
        this.tiling = on;
    }

    /** diffusers' {@code enable_tiling(tile_sample_min_height, tile_sample_min_width, overlap_h, overlap_w)}. */
    public void setTiling(boolean on, TileSettings settings) {
        if (latentTile(settings.tileSampleMinHeight()) < 1 || latentTile(settings.tileSampleMinWidth()) < 1) {
            throw new IllegalArgumentException("tiles of " + settings.tileSampleMinHeight() + " x " + settings.tileSampleMinWidth()
                    + " pixels are smaller than one latent pixel (" + config.spatialCompressionRatio() + " pixels)");
        }
        this.tiles = settings;
        this.tiling = on;
    }

    public boolean tiling() {
        return tiling;
    }

    public TileSettings tileSettings() {
        return tiles;
    }

    private int latentTile(int samplePixels) {
        return (int) (samplePixels / (double) config.spatialCompressionRatio());
    }

    // ---------------------------------------------------------------- encode

    /** Encodes video {@code [B, in_channels, T, H, W]}; H and W must be multiples of the spatial ratio. */
    public LatentDistribution encode(Tensor video) {
        checkVideo(video);
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor moments = slicing && video.size(0) > 1 ? perSample(video, this::encodeOne) : encodeOne(video);
            return LatentDistribution.fromMoments(moments, config.latentChannels());
        }
    }

    private Tensor encodeOne(Tensor x) {
        if (tiling && (x.size(4) > tiles.tileSampleMinWidth() || x.size(3) > tiles.tileSampleMinHeight())) return tiledEncode(x);
        return encodeFrames(x);
    }

    /** Runs the encoder over time chunks of {@code x} with one fresh cache; result in the caller's scope. */
    private Tensor encodeFrames(Tensor x) {
        int per = frameBatching ? sampleFramesPerChunk : Integer.MAX_VALUE;
        return overChunks(x, per, (chunk, cache) -> encoder.forward(chunk, cache));
    }

    private Tensor tiledEncode(Tensor x) {
        long height = x.size(3), width = x.size(4);
        int tileH = tiles.tileSampleMinHeight(), tileW = tiles.tileSampleMinWidth();
        int latentTileH = latentTile(tileH), latentTileW = latentTile(tileW);
        int strideH = (int) (tileH * (1 - tiles.tileOverlapFactorHeight()));
        int strideW = (int) (tileW * (1 - tiles.tileOverlapFactorWidth()));
        int blendH = (int) (latentTileH * tiles.tileOverlapFactorHeight());
        int blendW = (int) (latentTileW * tiles.tileOverlapFactorWidth());
        checkStride(strideH, strideW);
        int ratio = config.spatialCompressionRatio();
        checkTilesCover("encode", height / ratio, tiledLength(height, tileH, strideH, latentTileH - blendH, 1, ratio),
                width / ratio, tiledLength(width, tileW, strideW, latentTileW - blendW, 1, ratio));
        List<List<Tensor>> rows = new ArrayList<>();
        for (long i = 0; i < height; i += strideH) {
            List<Tensor> row = new ArrayList<>();
            for (long j = 0; j < width; j += strideW) {
                long ii = i, jj = j;
                row.add(retained(() -> encodeFrames(x.narrow(3, ii, Math.min(tileH, height - ii)).narrow(4, jj, Math.min(tileW, width - jj)))));
            }
            rows.add(row);
        }
        return blendTiles(rows, blendH, blendW, latentTileH - blendH, latentTileW - blendW);
    }

    /**
     * Encoder moments (mean ‖ logvar, {@code [B, 2*latent, T', h, w]}) with autograd, for training the VAE itself:
     * the same time chunking and causal cache as {@link #encode}, but no slicing/tiling and no scopes of its own,
     * so the graph stays in the caller's {@link PointerScope}.
     */
    public Tensor encodeMomentsForTraining(Tensor video) {
        checkVideo(video);
        int per = frameBatching ? sampleFramesPerChunk : Integer.MAX_VALUE;
        List<Tensor> parts = new ArrayList<>();
        try (ConvCache cache = new ConvCache()) {
            for (long[] c : frameChunks(video.size(2), per)) parts.add(encoder.forward(video.narrow(2, c[0], c[1] - c[0]), cache));
        }
        return parts.size() == 1 ? parts.get(0) : torch.cat(new TensorVector(parts.toArray(Tensor[]::new)), 2);
    }

    /** Decodes unscaled latents with autograd (VAE training); chunking as {@link #decode}, caller's scope. */
    public Tensor decodeForTraining(Tensor z) {
        checkLatents(z);
        int per = frameBatching ? latentFramesPerChunk : Integer.MAX_VALUE;
        List<Tensor> parts = new ArrayList<>();
        try (ConvCache cache = new ConvCache()) {
            for (long[] c : frameChunks(z.size(2), per)) parts.add(decoder.forward(z.narrow(2, c[0], c[1] - c[0]), cache));
        }
        return parts.size() == 1 ? parts.get(0) : torch.cat(new TensorVector(parts.toArray(Tensor[]::new)), 2);
    }

    // ---------------------------------------------------------------- decode

    /** Decodes unscaled latents {@code [B, latent_channels, T', h, w]} to pixels {@code [B, out_channels, T, H, W]}. */
    public Tensor decode(Tensor z) {
        checkLatents(z);
        try (NoGradGuard g = new NoGradGuard()) {
            return slicing && z.size(0) > 1 ? perSample(z, this::decodeOne) : decodeOne(z);
        }
    }

    private Tensor decodeOne(Tensor z) {
        if (tiling && (z.size(4) > latentTile(tiles.tileSampleMinWidth()) || z.size(3) > latentTile(tiles.tileSampleMinHeight()))) {
            return tiledDecode(z);
        }
        return decodeFrames(z);
    }

    private Tensor decodeFrames(Tensor z) {
        int per = frameBatching ? latentFramesPerChunk : Integer.MAX_VALUE;
        return overChunks(z, per, (chunk, cache) -> decoder.forward(chunk, cache));
    }

    private Tensor tiledDecode(Tensor z) {
        long height = z.size(3), width = z.size(4);
        int tileH = tiles.tileSampleMinHeight(), tileW = tiles.tileSampleMinWidth();
        int latentTileH = latentTile(tileH), latentTileW = latentTile(tileW);
        int strideH = (int) (latentTileH * (1 - tiles.tileOverlapFactorHeight()));
        int strideW = (int) (latentTileW * (1 - tiles.tileOverlapFactorWidth()));
        int blendH = (int) (tileH * tiles.tileOverlapFactorHeight());
        int blendW = (int) (tileW * tiles.tileOverlapFactorWidth());
        checkStride(strideH, strideW);
        int ratio = config.spatialCompressionRatio();
        checkTilesCover("decode", height * ratio, tiledLength(height, latentTileH, strideH, tileH - blendH, ratio, 1),
                width * ratio, tiledLength(width, latentTileW, strideW, tileW - blendW, ratio, 1));
        List<List<Tensor>> rows = new ArrayList<>();
        for (long i = 0; i < height; i += strideH) {
            List<Tensor> row = new ArrayList<>();
            for (long j = 0; j < width; j += strideW) {
                long ii = i, jj = j;
                row.add(retained(() -> decodeFrames(z.narrow(3, ii, Math.min(latentTileH, height - ii))
                        .narrow(4, jj, Math.min(latentTileW, width - jj)))));
            }
            rows.add(row);
        }
        return blendTiles(rows, blendH, blendW, tileH - blendH, tileW - blendW);
    }

    /**
     * Length of diffusers' merged tile output along one axis: every tile cropped to {@code limit} after scaling its
     * input extent by {@code up / down} (the encoder's stride-2 convs floor odd sizes).
     */
    static long tiledLength(long length, long tile, long stride, long limit, long up, long down) {
        long total = 0;
        for (long i = 0; i < length; i += stride) total += Math.min(limit, Math.min(tile, length - i) * up / down);
        return total;
    }

    /**
     * diffusers silently returns a wrongly sized tensor when the tile stride does not match the cropped tile size on
     * the latent grid (e.g. 16-pixel tiles at 8x: stride 13 px); refuse such settings before doing the work.
     */
    private void checkTilesCover(String what, long wantH, long gotH, long wantW, long gotW) {
        if (wantH == gotH && wantW == gotW) return;
        throw new IllegalArgumentException("tiled " + what + " with tiles of " + tiles.tileSampleMinHeight() + " x "
                + tiles.tileSampleMinWidth() + " px (overlap " + tiles.tileOverlapFactorHeight() + " / " + tiles.tileOverlapFactorWidth()
                + ") would give " + gotH + " x " + gotW + " instead of " + wantH + " x " + wantW
                + ": the tile stride must be a whole number of latent pixels equal to the blended tile's kept part"
                + " (e.g. height 6*" + config.spatialCompressionRatio() + "*k with overlap 1/6, width 5*" + config.spatialCompressionRatio()
                + "*k with overlap 1/5)");
    }

    private static void checkStride(int strideH, int strideW) {
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("tile settings give a tile stride of " + strideH + " x " + strideW
                    + "; use larger tiles or a smaller overlap factor");
        }
    }

    // ---------------------------------------------------------------- scaling helpers (pipeline conventions)

    /**
     * Training/conditioning latents: {@code sample * scaling_factor}, permuted from the VAE's {@code [B, C, F, H, W]}
     * to the transformer's {@code [B, F, C, H, W]}.
     */
    public Tensor latentsForTraining(Tensor vaeLatents) {
        return vaeLatents.mul(new Scalar(config.scalingFactor())).permute(0, 2, 1, 3, 4).contiguous();
    }

    /**
     * Image-conditioning latents for I2V: like {@link #latentsForTraining}, except that 1.5 models
     * ({@code invert_scale_latents}) divide by the scaling factor, as diffusers' I2V pipeline does.
     */
    public Tensor imageLatentsForConditioning(Tensor vaeLatents) {
        double f = config.invertScaleLatents() ? 1.0 / config.scalingFactor() : config.scalingFactor();
        return vaeLatents.mul(new Scalar(f)).permute(0, 2, 1, 3, 4).contiguous();
    }

    /** Transformer latents {@code [B, F, C, H, W]} back to pixels: permute, divide by scaling_factor, decode. */
    public Tensor decodeFromTransformerLatents(Tensor transformerLatents) {
        if (transformerLatents.dim() != 5) {
            throw new IllegalArgumentException("transformer latents must be [B, F, C, H, W], got " + Arrays.toString(Tensors.shape(transformerLatents)));
        }
        Tensor z = transformerLatents.permute(0, 2, 1, 3, 4).div(new Scalar(config.scalingFactor()));
        return decode(z);
    }

    // ---------------------------------------------------------------- chunking, scopes, blending

    @FunctionalInterface
    private interface ChunkFn {
        Tensor apply(Tensor chunk, ConvCache cache);
    }

    /**
     * diffusers' frame batching: {@code max(T / per, 1)} chunks of {@code per} frames, the first one also taking
     * the {@code T % per} remainder (so 49 frames run as 9, 8, 8, ...), with the conv cache carried across.
     */
    static List<long[]> frameChunks(long frames, long per) {
        long count = Math.max(frames / per, 1);
        long remainder = frames % per;
        List<long[]> out = new ArrayList<>();
        for (long k = 0; k < count; k++) {
            long start = per * k + (k == 0 ? 0 : remainder);
            long end = Math.min(per * (k + 1) + remainder, frames);
            if (end > start) out.add(new long[] {start, end});
        }
        return out;
    }

    private static Tensor overChunks(Tensor x, long per, ChunkFn fn) {
        List<Tensor> parts = new ArrayList<>();
        try (ConvCache cache = new ConvCache()) {
            for (long[] c : frameChunks(x.size(2), per)) {
                parts.add(retained(() -> fn.apply(x.narrow(2, c[0], c[1] - c[0]), cache)));
            }
        } catch (RuntimeException e) {
            parts.forEach(Tensor::releaseReference);
            throw e;
        }
        return concatAndRelease(parts, 2);
    }

    private static Tensor perSample(Tensor x, Function<Tensor, Tensor> fn) {
        List<Tensor> parts = new ArrayList<>();
        try {
            for (long b = 0; b < x.size(0); b++) {
                long bb = b;
                parts.add(retained(() -> fn.apply(x.narrow(0, bb, 1))));
            }
        } catch (RuntimeException e) {
            parts.forEach(Tensor::releaseReference);
            throw e;
        }
        return concatAndRelease(parts, 0);
    }

    /** Runs {@code work} in its own scope and keeps only its result alive (the caller releases it). */
    private static Tensor retained(Supplier<Tensor> work) {
        try (PointerScope scope = new PointerScope()) {
            Tensor t = work.get();
            t.retainReference();
            return t;
        }
    }

    /** Concatenates retained parts into a tensor owned by the caller's scope and releases the parts. */
    private static Tensor concatAndRelease(List<Tensor> parts, long dim) {
        if (parts.size() == 1) return handOut(parts.get(0));
        try {
            return torch.cat(new TensorVector(parts.toArray(Tensor[]::new)), dim);
        } finally {
            parts.forEach(Tensor::releaseReference);
        }
    }

    /** Moves a retained tensor into the caller's innermost scope, if there is one. */
    private static Tensor handOut(Tensor t) {
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null) {
            outer.attach(t);
            t.releaseReference();
        }
        return t;
    }

    /**
     * diffusers' tile merge: each tile is blended in place with the (already blended) tile above and to its left,
     * then cropped to the row limits; rows and columns are concatenated. Releases the retained tiles.
     */
    private static Tensor blendTiles(List<List<Tensor>> rows, int blendH, int blendW, int limitH, int limitW) {
        try {
            Tensor merged = retained(() -> {
                List<Tensor> resultRows = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    List<Tensor> row = rows.get(i);
                    List<Tensor> resultRow = new ArrayList<>();
                    for (int j = 0; j < row.size(); j++) {
                        Tensor tile = row.get(j);
                        if (i > 0) blend(rows.get(i - 1).get(j), tile, blendH, 3);
                        if (j > 0) blend(row.get(j - 1), tile, blendW, 4);
                        resultRow.add(tile.narrow(3, 0, Math.min(limitH, tile.size(3))).narrow(4, 0, Math.min(limitW, tile.size(4))));
                    }
                    resultRows.add(torch.cat(new TensorVector(resultRow.toArray(Tensor[]::new)), 4));
                }
                return torch.cat(new TensorVector(resultRows.toArray(Tensor[]::new)), 3);
            });
            return handOut(merged);
        } finally {
            rows.forEach(r -> r.forEach(Tensor::releaseReference));
        }
    }

    /** {@code b[y] = a[-extent + y] * (1 - y/extent) + b[y] * (y/extent)} along {@code dim}, in place on b. */
    private static void blend(Tensor a, Tensor b, int extent, int dim) {
        int e = (int) Math.min(Math.min(a.size(dim), b.size(dim)), extent);
        long aLen = a.size(dim);
        for (int y = 0; y < e; y++) {
            double w = (double) y / e;
            Tensor rowA = a.narrow(dim, aLen - e + y, 1);
            Tensor rowB = b.narrow(dim, y, 1);
            rowB.copy_(rowA.mul(new Scalar(1 - w)).add(rowB.mul(new Scalar(w))));
        }
    }

    // ---------------------------------------------------------------- input checks

    private void checkVideo(Tensor x) {
        long[] s = Tensors.shape(x);
        int ratio = config.spatialCompressionRatio();
        if (s.length != 5 || s[1] != config.inChannels()) {
            throw new IllegalArgumentException("video must be [B, " + config.inChannels() + ", T, H, W], got " + Arrays.toString(s));
        }
        if (s[0] < 1 || s[2] < 1) throw new IllegalArgumentException("video has no frames or no batch: " + Arrays.toString(s));
        if (s[3] % ratio != 0 || s[4] % ratio != 0 || s[3] == 0 || s[4] == 0) {
            throw new IllegalArgumentException("video height and width must be positive multiples of " + ratio + ", got "
                    + s[3] + " x " + s[4] + " (e.g. " + roundUp(s[3], ratio) + " x " + roundUp(s[4], ratio) + ")");
        }
        // Frame counts other than 1 + 4k are accepted as diffusers does (each chunk's time downsampling rounds);
        // they simply do not decode back to the same frame count.
    }

    private void checkLatents(Tensor z) {
        long[] s = Tensors.shape(z);
        if (s.length != 5 || s[1] != config.latentChannels()) {
            throw new IllegalArgumentException("latents must be [B, " + config.latentChannels() + ", F, h, w] (VAE layout), got "
                    + Arrays.toString(s) + (s.length == 5 && s[2] == config.latentChannels()
                            ? "; this looks like transformer layout [B, F, C, h, w]: use decodeFromTransformerLatents" : ""));
        }
        if (s[0] < 1 || s[2] < 1 || s[3] < 1 || s[4] < 1) throw new IllegalArgumentException("latents are empty: " + Arrays.toString(s));
    }

    private static long roundUp(long v, long m) {
        return Math.max(m, (v + m - 1) / m * m);
    }
}

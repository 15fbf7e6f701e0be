package dev.cogforge.core.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.cogforge.core.data.SyntheticClips;
import dev.cogforge.core.data.VideoReader;
import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;
import dev.cogforge.core.models.vae.LatentDistribution;
import dev.cogforge.core.nn.Parameter;
import dev.cogforge.core.train.optim.AdamW;
import dev.cogforge.core.train.optim.ClipGrad;
import dev.cogforge.core.train.optim.NamedParam;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a freshly initialised CogVideoX VAE as a plain autoencoder on the synthetic shape clips, so the demo model's
 * latents decode to recognisable shapes: encode → {@code latent_dist.sample} → decode, loss = reconstruction MSE +
 * a weighted chroma MSE (so colour is not left for last, after brightness) + a small KL term, AdamW. The clips are augmented (flips, colour-channel permutations, time reversal) so the VAE sees
 * more colours and directions than the 16 sample clips hold.
 *
 * <p>It runs a fixed number of steps with a seeded generator, never a time budget, so the weights are the same on
 * every run with the same thread count. Forward passes use the same 8-frame chunking and causal cache as inference.
 */
public final class VaePretrainer implements AutoCloseable {
    /**
     * @param steps optimizer steps
     * @param batchSize clips per step
     * @param frames frames per training clip (8k+1; 9 is exactly the first inference chunk, 17 a whole clip)
     * @param colourWeight weight of the chroma MSE (each pixel minus its own grey level) added to the plain MSE: the
     *     plain MSE is dominated by brightness, so without it the VAE learns grey shapes first and colour much later
     * @param evaluationClips how many sample clips the before/after PSNR and the latent std are measured on
     */
    public record Settings(int steps, int batchSize, int frames, double learningRate, double klWeight, double colourWeight,
                           long seed, int evaluationClips) {
        public Settings {
            if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            // 8k+1 frames encode to an odd number of latent frames; the decoder keeps the first latent frame apart only
            // then, so 5 or 13 frames would come back as 8 or 16
            if (frames < 1 || (frames - 1) % 8 != 0 || frames > SyntheticClips.FRAMES) {
                throw new IllegalArgumentException("frames must be 8k+1 (1, 9, 17) and at most " + SyntheticClips.FRAMES + ", got " + frames);
            }
            if (!(colourWeight >= 0)) throw new IllegalArgumentException("colour weight must be >= 0, got " + colourWeight);
            if (evaluationClips < 1 || evaluationClips > SyntheticClips.catalogue().size()) {
                throw new IllegalArgumentException("evaluation clips must be 1.." + SyntheticClips.catalogue().size() + ", got " + evaluationClips);
            }
        }

        public Settings withSteps(int n) {
            return new Settings(n, batchSize, frames, learningRate, klWeight, colourWeight, seed, evaluationClips);
        }

        /** A quick variant for tests: {@code n} steps, PSNR measured on {@code clips} clips. */
        public Settings quick(int n, int clips) {
            return new Settings(n, batchSize, frames, learningRate, klWeight, colourWeight, seed, clips);
        }
    }

    public record Progress(int step, int steps, double loss, double reconstructionMse, double seconds) {}

    @FunctionalInterface
    public interface Listener {
        void onProgress(Progress p);
    }

    /**
     * How well the evaluation clips come back through the inference path. PSNR is over pixels in [0, 1] (the [-1, 1]
     * MSE divided by 4). The colour errors are in 8-bit levels: {@code meanRgbError} is the mean absolute error of
     * each frame's mean R, G and B (a grey or tinted reconstruction of a coloured clip shows here even when PSNR is
     * fine), {@code chromaError} the mean absolute error of the chroma (a pixel minus its own grey level) over the
     * pixels that are coloured in the original, i.e. the shapes and coloured backgrounds, where greying out shows.
     */
    public record Quality(double psnr, double meanRgbError, double chromaError) {}

    public record Result(int steps, Quality before, Quality after, double seconds, double latentStd) {
        public double psnrBefore() {
            return before.psnr();
        }

        public double psnrAfter() {
            return after.psnr();
        }
    }

    private static final int[][] CHANNEL_ORDERS = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

    private final AutoencoderKLCogVideoX vae;
    private final Settings settings;
    private final List<Tensor> clips;

    /** @param vae initialised weights, trained in place */
    public VaePretrainer(AutoencoderKLCogVideoX vae, Settings settings) {
        this.vae = vae;
        this.settings = settings;
        this.clips = new ArrayList<>();
        for (SyntheticClips.Clip clip : SyntheticClips.catalogue()) {
            try (PointerScope scope = new PointerScope()) {
                Tensor t = VideoReader.toTensor(SyntheticClips.frames(clip));
                t.retainReference();
                clips.add(t);
            }
        }
    }

    /** The 16 sample clips, {@code [3, 17, 48, 80]} in [-1, 1]; owned by this pretrainer. */
    public List<Tensor> clips() {
        return clips;
    }

    public Result run(Listener listener) {
        long start = System.nanoTime();
        Quality before = evaluate();
        Random pick = new Random(settings.seed());
        Generator noise = torch.createCPUGenerator(settings.seed() + 1);
        List<NamedParam> params = new ArrayList<>();
        for (var e : vae.stateDict().entrySet()) {
            Parameter p = e.getValue();
            p.get().requires_grad_(true);
            params.add(new NamedParam(e.getKey(), p.get()));
        }
        List<Tensor> tensors = params.stream().map(NamedParam::tensor).toList();
        try (AdamW opt = AdamW.adamW(params, settings.learningRate(), 0.0, 0.9, 0.99, 1e-8)) {
            for (int step = 1; step <= settings.steps(); step++) {
                // short linear warm-up: a fresh VAE with AdamW at full lr tends to blow up its first norm statistics
                double warm = Math.min(1.0, step / 20.0);
                opt.setLr(settings.learningRate() * warm);
                double loss, mse;
                try (PointerScope scope = new PointerScope()) {
                    Tensor batch = batch(pick);
                    Tensor moments = vae.encodeMomentsForTraining(batch);
                    LatentDistribution dist = LatentDistribution.fromMoments(moments, vae.config().latentChannels());
                    Tensor z = dist.sample(noise);
                    Tensor recon = vae.decodeForTraining(z);
                    Tensor rec = torch.mse_loss(recon, batch);
                    Tensor kl = dist.mean().pow(new Scalar(2.0)).add(dist.logvar().exp()).sub(new Scalar(1.0))
                            .sub(dist.logvar()).mean().mul(new Scalar(0.5));
                    Tensor total = rec.add(kl.mul(new Scalar(settings.klWeight())));
                    if (settings.colourWeight() > 0) {
                        Tensor colour = torch.mse_loss(chroma(recon), chroma(batch));
                        total = total.add(colour.mul(new Scalar(settings.colourWeight())));
                    }
                    opt.zeroGrad();
                    total.backward();
                    ClipGrad.clipGradNorm(tensors, 1.0);
                    opt.step();
                    loss = total.item_double();
                    mse = rec.item_double();
                }
                if (listener != null) {
                    listener.onProgress(new Progress(step, settings.steps(), loss, mse, (System.nanoTime() - start) / 1e9));
                }
            }
        } finally {
            // fresh detached copies drop the .grad buffers and leave the VAE ready for no-grad inference
            for (Parameter p : vae.stateDict().values()) {
                try (PointerScope scope = new PointerScope()) {
                    p.set(p.get().detach().clone());
                }
            }
        }
        Quality after = evaluate();
        return new Result(settings.steps(), before, after, (System.nanoTime() - start) / 1e9, latentStd());
    }

    /** Mean PSNR over the evaluation clips through the inference path (mode of the posterior, chunked decode). */
    public double reconstructionPsnr() {
        return evaluate().psnr();
    }

    /** {@link Quality} averaged over the evaluation clips, through the inference path (posterior mode, chunked decode). */
    public Quality evaluate() {
        double psnr = 0, meanRgb = 0, chroma = 0;
        long chromaPixels = 0;
        for (Tensor clip : evaluationClips()) {
            float[] original, recon;
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor x = clip.unsqueeze(0);
                Tensor y = vae.decode(vae.encode(x).mode()).clamp(new org.bytedeco.pytorch.ScalarOptional(new Scalar(-1.0)),
                        new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0)));
                original = dev.cogforge.core.engine.Tensors.toFloats(x.contiguous());
                recon = dev.cogforge.core.engine.Tensors.toFloats(y.contiguous());
            }
            int frames = (int) clip.size(1);
            int pixels = (int) (clip.size(2) * clip.size(3));
            double squared = 0;
            for (int i = 0; i < original.length; i++) {
                double d = original[i] - recon[i];
                squared += d * d;
            }
            double mse = squared / original.length / 4.0;
            psnr += 10 * Math.log10(1.0 / Math.max(mse, 1e-12));
            double rgbError = 0;
            for (int t = 0; t < frames; t++) {
                for (int c = 0; c < 3; c++) {
                    int base = (c * frames + t) * pixels;
                    double a = 0, b = 0;
                    for (int i = 0; i < pixels; i++) {
                        a += original[base + i];
                        b += recon[base + i];
                    }
                    rgbError += Math.abs(a - b) / pixels;
                }
            }
            meanRgb += rgbError / (3.0 * frames) * 127.5;
            int plane = frames * pixels;
            for (int i = 0; i < plane; i++) {
                float r = original[i], g = original[plane + i], b = original[2 * plane + i];
                // coloured: the channels spread by more than 0.2 of the range (about 50 levels)
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) <= 0.4f) continue;
                double greyOriginal = (r + g + b) / 3.0;
                double greyRecon = (recon[i] + recon[plane + i] + recon[2 * plane + i]) / 3.0;
                double error = 0;
                for (int c = 0; c < 3; c++) {
                    error += Math.abs((original[c * plane + i] - greyOriginal) - (recon[c * plane + i] - greyRecon));
                }
                chroma += error / 3.0 * 127.5;
                chromaPixels++;
            }
        }
        int n = settings.evaluationClips();
        return new Quality(psnr / n, meanRgb / n, chromaPixels == 0 ? 0 : chroma / chromaPixels);
    }

    /** {@code [B, 3, ...]} minus its per-pixel mean over the colour channels. */
    private static Tensor chroma(Tensor video) {
        return video.sub(video.mean(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
    }

    /** Standard deviation of the posterior means over the sample clips: 1/std is the demo VAE's scaling factor. */
    public double latentStd() {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            List<Tensor> means = new ArrayList<>();
            for (Tensor clip : evaluationClips()) means.add(vae.encode(clip.unsqueeze(0)).mode().flatten(0, -1));
            return torch.cat(new TensorVector(means.toArray(Tensor[]::new)), 0).std().item_double();
        }
    }

    /** Spread over the catalogue, so a small count still covers different backgrounds and motions. */
    private List<Tensor> evaluationClips() {
        List<Tensor> out = new ArrayList<>();
        int n = settings.evaluationClips();
        for (int i = 0; i < n; i++) out.add(clips.get(i * clips.size() / n));
        return out;
    }

    /** A batch of augmented windows {@code [B, 3, frames, 48, 80]}. */
    private Tensor batch(Random pick) {
        List<Tensor> items = new ArrayList<>();
        for (int b = 0; b < settings.batchSize(); b++) {
            Tensor x = clips.get(pick.nextInt(clips.size()));
            int offset = pick.nextInt(SyntheticClips.FRAMES - settings.frames() + 1);
            x = x.narrow(1, offset, settings.frames());
            if (pick.nextBoolean()) x = x.flip(1);
            if (pick.nextBoolean()) x = x.flip(3);
            if (pick.nextBoolean()) x = x.flip(2);
            int[] order = CHANNEL_ORDERS[pick.nextInt(CHANNEL_ORDERS.length)];
            x = x.index_select(0, dev.cogforge.core.engine.Tensors.fromLongs(new long[] {order[0], order[1], order[2]}, 3));
            items.add(x.contiguous());
        }
        return torch.stack(new TensorVector(items.toArray(Tensor[]::new)), 0);
    }

    /** Releases the clip tensors (not the VAE). */
    @Override
    public void close() {
        clips.forEach(Tensor::releaseReference);
        clips.clear();
    }
}

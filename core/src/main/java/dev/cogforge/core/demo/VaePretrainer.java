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
 * a small KL term, AdamW. The clips are augmented (flips, colour-channel permutations, time reversal) so the VAE sees
 * more colours and directions than the 16 sample clips hold.
 *
 * <p>It runs a fixed number of steps with a seeded generator, never a time budget, so the weights are the same on
 * every run with the same thread count. Forward passes use the same 8-frame chunking and causal cache as inference.
 */
public final class VaePretrainer implements AutoCloseable {
    /**
     * @param steps optimizer steps
     * @param batchSize clips per step
     * @param frames frames per training clip (4k+1; 9 is exactly the first inference chunk, 17 a whole clip)
     * @param evaluationClips how many sample clips the before/after PSNR and the latent std are measured on
     */
    public record Settings(int steps, int batchSize, int frames, double learningRate, double klWeight, long seed,
                           int evaluationClips) {
        public Settings {
            if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            if (frames < 1 || (frames - 1) % 4 != 0 || frames > SyntheticClips.FRAMES) {
                throw new IllegalArgumentException("frames must be 4k+1 and at most " + SyntheticClips.FRAMES + ", got " + frames);
            }
            if (evaluationClips < 1 || evaluationClips > SyntheticClips.catalogue().size()) {
                throw new IllegalArgumentException("evaluation clips must be 1.." + SyntheticClips.catalogue().size() + ", got " + evaluationClips);
            }
        }

        public Settings withSteps(int n) {
            return new Settings(n, batchSize, frames, learningRate, klWeight, seed, evaluationClips);
        }

        /** A quick variant for tests: {@code n} steps, PSNR measured on {@code clips} clips. */
        public Settings quick(int n, int clips) {
            return new Settings(n, batchSize, frames, learningRate, klWeight, seed, clips);
        }
    }

    public record Progress(int step, int steps, double loss, double reconstructionMse, double seconds) {}

    @FunctionalInterface
    public interface Listener {
        void onProgress(Progress p);
    }

    /** PSNR is over pixels in [0, 1] (the [-1, 1] MSE divided by 4). */
    public record Result(int steps, double psnrBefore, double psnrAfter, double seconds, double latentStd) {}

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
        double before = reconstructionPsnr();
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
        double after = reconstructionPsnr();
        return new Result(settings.steps(), before, after, (System.nanoTime() - start) / 1e9, latentStd());
    }

    /** Mean PSNR over the evaluation clips through the inference path (mode of the posterior, chunked decode). */
    public double reconstructionPsnr() {
        double sum = 0;
        for (Tensor clip : evaluationClips()) {
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor x = clip.unsqueeze(0);
                Tensor recon = vae.decode(vae.encode(x).mode()).clamp(new org.bytedeco.pytorch.ScalarOptional(new Scalar(-1.0)),
                        new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0)));
                double mse = torch.mse_loss(recon, x).item_double() / 4.0;
                sum += 10 * Math.log10(1.0 / Math.max(mse, 1e-12));
            }
        }
        return sum / settings.evaluationClips();
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

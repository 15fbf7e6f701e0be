package dev.cogforge.core.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import dev.cogforge.core.data.ContentHash;
import dev.cogforge.core.data.EncoderProvider;
import dev.cogforge.core.data.PromptEncoder;
import dev.cogforge.core.data.VideoEncoder;
import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Devices;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.io.TensorSource;
import dev.cogforge.core.models.t5.T5Encoder;
import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;
import dev.cogforge.core.models.vae.LatentDistribution;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The real CogVideoX VAE and T5 behind {@code dataset prepare}: opens a model folder (or HF cache repo id), encodes
 * clips to the VAE's raw moments (mean ‖ logvar, {@code [2*latent, F', h, w]}) exactly like cogvideox-factory's
 * {@code prepare_dataset.py --save_latents_and_embeddings} (the trainer samples from them, so every epoch sees fresh
 * posterior noise), and captions to T5's last hidden state {@code [226, d_model]}.
 *
 * <p>The returned encoders hold the model weights; they implement {@link AutoCloseable} and must be closed when the
 * run is done.
 */
public final class RealEncoderProvider implements EncoderProvider {
    @Override
    public VideoEncoder videoEncoder(String model) throws IOException {
        ModelFolder folder = ModelFolder.resolve(model);
        folder.requireParts(EnumSet.of(ModelFolder.Part.VAE));
        return new Vae(folder, Devices.preferred());
    }

    @Override
    public PromptEncoder promptEncoder(String model) throws IOException {
        ModelFolder folder = ModelFolder.resolve(model);
        folder.requireParts(EnumSet.of(ModelFolder.Part.TEXT_ENCODER, ModelFolder.Part.TOKENIZER));
        return new TextEncoder(folder, Devices.preferred());
    }

    /** Identifies a weight file without reading it: name, size and modification time (the hub cache never rewrites). */
    static String fileIdentity(Path file) throws IOException {
        return file.getFileName() + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
    }

    /** The VAE as a {@link VideoEncoder}; fp32 on every device (the reference quality for latents). */
    public static final class Vae implements VideoEncoder, AutoCloseable {
        private final AutoencoderKLCogVideoX vae;
        private final Device device;
        private final String revision;

        public Vae(ModelFolder folder, ComputeDevice device) throws IOException {
            this.device = device.toTorch();
            Path dir = folder.partDir(ModelFolder.Part.VAE);
            this.vae = AutoencoderKLCogVideoX.load(dir, ScalarType.Float, this.device);
            this.revision = "vae-moments:" + ContentHash.of(folder.describe(),
                    ContentHash.of(folder.configFile(ModelFolder.Part.VAE)), fileIdentity(folder.weights(ModelFolder.Part.VAE)));
        }

        public AutoencoderKLCogVideoX model() {
            return vae;
        }

        /** @return raw moments {@code [2*latent, F', h, w]} float32 on the CPU, in the caller's scope */
        @Override
        public Tensor encode(Tensor frames) {
            if (frames.dim() != 4 || frames.size(0) != vae.config().inChannels()) {
                throw new IllegalArgumentException("frames must be [" + vae.config().inChannels() + ", F, H, W], got "
                        + java.util.Arrays.toString(Tensors.shape(frames)));
            }
            try (NoGradGuard g = new NoGradGuard()) {
                Tensor x = frames.to(device, ScalarType.Float).unsqueeze(0);
                LatentDistribution d = vae.encode(x);
                Tensor moments = torch.cat(new TensorVector(d.mean(), d.logvar()), 1).squeeze(0);
                return moments.to(new Device(torch.DeviceType.CPU), ScalarType.Float).contiguous();
            }
        }

        @Override
        public String revision() {
            return revision;
        }

        @Override
        public void close() {
            vae.close();
        }
    }

    /** T5 + tokenizer as a {@link PromptEncoder}: fp32 on the CPU, bf16 on an accelerator (T5 overflows in fp16). */
    public static final class TextEncoder implements PromptEncoder, AutoCloseable {
        private final T5Encoder t5;
        private final String revision;

        public TextEncoder(ModelFolder folder, ComputeDevice device) throws IOException {
            ScalarType dtype = device.isCuda() ? ScalarType.BFloat16 : ScalarType.Float;
            Path config = folder.configFile(ModelFolder.Part.TEXT_ENCODER);
            try (TensorSource weights = folder.openWeights(ModelFolder.Part.TEXT_ENCODER)) {
                this.t5 = T5Encoder.open(config, weights, folder.partDir(ModelFolder.Part.TOKENIZER), dtype, device.toTorch());
            }
            this.revision = "t5-last-hidden-state:" + ContentHash.of(folder.describe(), ContentHash.of(config),
                    fileIdentity(folder.weights(ModelFolder.Part.TEXT_ENCODER)), t5.tokenizer().fingerprint(), dtype.toString());
        }

        public T5Encoder model() {
            return t5;
        }

        /** @return {@code [max_length, d_model]} float32 on the CPU, in the caller's scope */
        @Override
        public Tensor encode(String caption) {
            Tensor h = t5.encodePrompts(List.of(caption)).squeeze(0);
            return h.to(new Device(torch.DeviceType.CPU), ScalarType.Float).contiguous();
        }

        @Override
        public String revision() {
            return revision;
        }

        @Override
        public void close() {
            t5.close();
        }
    }
}

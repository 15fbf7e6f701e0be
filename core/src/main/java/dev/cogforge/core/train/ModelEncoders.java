package dev.cogforge.core.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.data.PromptEncoder;
import dev.cogforge.core.data.VideoEncoder;
import dev.cogforge.core.io.ModelFolder;
import dev.cogforge.core.io.TensorSource;
import dev.cogforge.core.models.t5.T5Config;
import dev.cogforge.core.models.t5.T5Encoder;
import dev.cogforge.core.models.t5.T5Tokenizer;
import dev.cogforge.core.models.vae.AutoencoderKLCogVideoX;
import dev.cogforge.core.models.vae.LatentDistribution;
import dev.cogforge.core.models.vae.VaeConfig;

/**
 * The real VAE and T5 of a model folder as the latent cache's encoders. The video encoder stores the VAE's raw
 * moments (mean ‖ logvar, {@code [2·latent_channels, F', h, w]}, unscaled and unsampled) exactly like the seed's
 * {@code prepare_dataset.py}, so that every epoch draws a fresh latent from the DiagonalGaussian and multiplies it by
 * scaling_factor — caching one sample would freeze the VAE's posterior noise for the whole run. Prompts are padded to
 * the transformer's text length (226 for the released models). Close to free both models before training starts.
 */
public final class ModelEncoders implements AutoCloseable {
    private final AutoencoderKLCogVideoX vae;
    private final T5Encoder t5;
    private final Device device;
    private final ScalarType dtype;
    private final String revision;

    private ModelEncoders(AutoencoderKLCogVideoX vae, T5Encoder t5, Device device, ScalarType dtype, String revision) {
        this.vae = vae;
        this.dtype = dtype;
        this.t5 = t5;
        this.device = device;
        this.revision = revision;
    }

    /**
     * Loads {@code vae/}, {@code text_encoder/} and {@code tokenizer/}. {@code textLength} is the prompt length the
     * transformer expects ({@code max_text_seq_length}).
     */
    public static ModelEncoders open(ModelFolder folder, int textLength, ScalarType dtype, Device device, boolean slicing,
            boolean tiling) throws IOException {
        AutoencoderKLCogVideoX vae = AutoencoderKLCogVideoX.load(folder.partDir(ModelFolder.Part.VAE), dtype, device);
        vae.setSlicing(slicing);
        vae.setTiling(tiling);
        T5Encoder t5 = null;
        try (TensorSource weights = folder.openWeights(ModelFolder.Part.TEXT_ENCODER)) {
            ScalarType textType = dtype == ScalarType.Half ? ScalarType.Float : dtype;
            t5 = new T5Encoder(T5Config.read(folder.configFile(ModelFolder.Part.TEXT_ENCODER)));
            t5.load(weights, textType, device);
            t5.withTokenizer(T5Tokenizer.fromFolder(folder.partDir(ModelFolder.Part.TOKENIZER), textLength));
        } catch (IOException | RuntimeException e) {
            vae.close();
            if (t5 != null) t5.close();
            throw e;
        }
        return new ModelEncoders(vae, t5, device, dtype, folder.describe() + "|len" + textLength);
    }

    public VaeConfig vaeConfig() {
        return vae.config();
    }

    /** VAE moments of one clip {@code [3, F, H, W]} in [-1, 1]; float32 on the CPU. */
    public VideoEncoder videoEncoder() {
        return new VideoEncoder() {
            @Override
            public Tensor encode(Tensor frames) {
                Tensor x = frames.unsqueeze(0);
                x = device != null && !device.is_cpu() ? x.to(device, dtype) : x.to(dtype);
                LatentDistribution d = vae.encode(x);
                return torch.cat(new TensorVector(d.mean(), d.logvar()), 1).squeeze(0).to(ScalarType.Float).cpu();
            }

            @Override
            public String revision() {
                return "vae-moments:" + revision;
            }
        };
    }

    /** T5 embeddings {@code [textLength, d_model]} of one caption; float32 on the CPU. */
    public PromptEncoder promptEncoder() {
        return new PromptEncoder() {
            @Override
            public Tensor encode(String caption) {
                return t5.encodePrompts(List.of(caption)).squeeze(0).to(ScalarType.Float).cpu();
            }

            @Override
            public String revision() {
                return "t5:" + revision;
            }
        };
    }

    /** The model folder's identity for cache keys. */
    public String revision() {
        return revision;
    }

    @Override
    public void close() {
        vae.close();
        t5.close();
    }
}

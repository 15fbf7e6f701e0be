package dev.cogforge.core.models.t5;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prompt embeddings ({@code [S, d_model]} per caption) cached on disk, one safetensors file per key, so each caption
 * is encoded once across runs. The key combines the tokenizer fingerprint ({@link T5Tokenizer#fingerprint()}), a
 * model fingerprint (a hub revision, or {@link #fingerprintFiles} of the weight files) and the exact prompt text.
 * Files are written atomically; the stored metadata repeats the key's parts and is checked on every read, and an
 * entry that cannot be read or does not match is treated as a miss and rewritten.
 */
public final class PromptEmbeddingCache {
    public static final String TENSOR_NAME = "prompt_embeds";
    private static final Logger LOG = LoggerFactory.getLogger(PromptEmbeddingCache.class);

    private final Path folder;

    public PromptEmbeddingCache(Path folder) {
        this.folder = folder;
    }

    public Path folder() {
        return folder;
    }

    /** SHA-256 over the three parts, each length-prefixed so that no two different triples collide by concatenation. */
    public static String key(String tokenizerFingerprint, String modelFingerprint, String prompt) {
        MessageDigest md = sha256();
        for (String part : List.of(tokenizerFingerprint, modelFingerprint, prompt)) {
            byte[] b = part.getBytes(StandardCharsets.UTF_8);
            md.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            md.update(b);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public Path fileFor(String tokenizerFingerprint, String modelFingerprint, String prompt) {
        String k = key(tokenizerFingerprint, modelFingerprint, prompt);
        // two-level fan-out keeps folders small for datasets with many thousand captions
        return folder.resolve(k.substring(0, 2)).resolve(k + ".safetensors");
    }

    /** The cached {@code [S, D]} embedding converted to {@code dtype}, or null when absent or unusable. */
    public Tensor load(String tokenizerFingerprint, String modelFingerprint, String prompt, ScalarType dtype) {
        Path file = fileFor(tokenizerFingerprint, modelFingerprint, prompt);
        if (!Files.isRegularFile(file)) return null;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            if (!prompt.equals(meta.get("prompt")) || !tokenizerFingerprint.equals(meta.get("tokenizer"))
                    || !modelFingerprint.equals(meta.get("model")) || !f.contains(TENSOR_NAME)
                    || f.info(TENSOR_NAME).shape().length != 2) {
                LOG.warn("{}: cache entry does not match its key; it will be recomputed", file);
                return null;
            }
            return f.load(TENSOR_NAME, dtype);
        } catch (IOException e) {
            LOG.warn("{}: unreadable cache entry ({}); it will be recomputed", file, e.getMessage());
            return null;
        }
    }

    /** Writes one {@code [S, D]} embedding atomically, in its own dtype. */
    public void store(String tokenizerFingerprint, String modelFingerprint, String prompt, Tensor embedding) throws IOException {
        if (embedding.dim() != 2) {
            throw new IllegalArgumentException("a prompt embedding is [seq, dim], got " + Arrays.toString(Tensors.shape(embedding)));
        }
        new SafetensorsWriter()
                .metadata("prompt", prompt)
                .metadata("tokenizer", tokenizerFingerprint)
                .metadata("model", modelFingerprint)
                .add(TENSOR_NAME, embedding)
                .write(fileFor(tokenizerFingerprint, modelFingerprint, prompt));
    }

    /**
     * {@code [B, S, D]} embeddings of {@code prompts} in {@code dtype}: cached ones are read, the others are encoded
     * in one call of {@code encode} (prompts -> {@code [n, S, D]}), stored, and put in place. Duplicate prompts are
     * encoded once. Tensors belong to the caller's {@code PointerScope}.
     */
    public Tensor getOrEncode(String tokenizerFingerprint, String modelFingerprint, List<String> prompts,
                              Function<List<String>, Tensor> encode, ScalarType dtype) throws IOException {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts");
        Tensor[] rows = new Tensor[prompts.size()];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            rows[i] = load(tokenizerFingerprint, modelFingerprint, prompts.get(i), dtype);
            if (rows[i] == null && !missing.contains(prompts.get(i))) missing.add(prompts.get(i));
        }
        if (!missing.isEmpty()) {
            Tensor encoded = encode.apply(missing);
            if (encoded.dim() != 3 || encoded.size(0) != missing.size()) {
                throw new IllegalStateException("encoder returned " + Arrays.toString(Tensors.shape(encoded)) + " for "
                        + missing.size() + " prompts; expected [n, seq, dim]");
            }
            for (int m = 0; m < missing.size(); m++) {
                Tensor row = encoded.select(0, m);
                store(tokenizerFingerprint, modelFingerprint, missing.get(m), row);
                Tensor converted = row.to(dtype);
                for (int i = 0; i < rows.length; i++) if (rows[i] == null && prompts.get(i).equals(missing.get(m))) rows[i] = converted;
            }
        }
        return torch.stack(new TensorVector(rows), 0);
    }

    /** {@link #getOrEncode} with the encoder's own tokenizer fingerprint and {@link T5Encoder#encodePrompts}. */
    public Tensor getOrEncode(T5Encoder encoder, String modelFingerprint, List<String> prompts, ScalarType dtype)
            throws IOException {
        if (encoder.tokenizer() == null) throw new IllegalStateException("the encoder has no tokenizer attached");
        return getOrEncode(encoder.tokenizer().fingerprint(), modelFingerprint, prompts, encoder::encodePrompts, dtype);
    }

    /**
     * SHA-256 over the contents of the given files in file-name order (e.g. a text encoder's config and weight
     * shards). Reads every byte once: about ten seconds for the 9.5 GB XXL encoder; prefer a hub revision when known.
     */
    public static String fingerprintFiles(List<Path> files) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 20];
        List<Path> sorted = files.stream().sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        for (Path p : sorted) {
            md.update((p.getFileName().toString() + ":" + Files.size(p) + ":").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(p)) {
                int n;
                while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}

package dev.cogforge.core.models.t5;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import dev.cogforge.core.io.TensorInfo;
import dev.cogforge.core.io.TensorSource;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A view of a T5 checkpoint in which the tied token embedding appears once, as {@code shared.weight}: a file holding
 * only {@code encoder.embed_tokens.weight} serves it under the shared name, and a file holding both (as transformers
 * saves them) has the alias hidden after checking the shapes agree. {@code shared.weight} wins when both exist, as
 * in transformers, where the encoder's embedding is re-pointed at {@code shared} after loading. Does not own the
 * underlying source.
 */
final class TiedEmbeddingSource implements TensorSource {
    private final TensorSource delegate;
    private final String sharedSourceName;
    private final List<String> names;

    TiedEmbeddingSource(TensorSource delegate) throws IOException {
        this.delegate = delegate;
        Collection<String> raw = delegate.names();
        boolean hasShared = raw.contains(T5Encoder.SHARED_KEY);
        boolean hasAlias = raw.contains(T5Encoder.EMBED_TOKENS_KEY);
        if (hasShared && hasAlias) {
            TensorInfo a = delegate.info(T5Encoder.SHARED_KEY);
            TensorInfo b = delegate.info(T5Encoder.EMBED_TOKENS_KEY);
            if (!Arrays.equals(a.shape(), b.shape())) {
                throw new IOException(delegate.describe() + ": tied embeddings disagree: " + T5Encoder.SHARED_KEY + " "
                        + a.shapeString() + " vs " + T5Encoder.EMBED_TOKENS_KEY + " " + b.shapeString());
            }
        }
        this.sharedSourceName = hasShared ? T5Encoder.SHARED_KEY : hasAlias ? T5Encoder.EMBED_TOKENS_KEY : null;
        List<String> out = new ArrayList<>();
        for (String n : raw) {
            if (n.equals(T5Encoder.EMBED_TOKENS_KEY)) continue;
            out.add(n);
        }
        if (!hasShared && hasAlias) out.add(T5Encoder.SHARED_KEY);
        this.names = Collections.unmodifiableList(out);
    }

    private String resolve(String name) {
        return name.equals(T5Encoder.SHARED_KEY) && sharedSourceName != null ? sharedSourceName : name;
    }

    @Override
    public Collection<String> names() {
        return names;
    }

    @Override
    public TensorInfo info(String name) throws IOException {
        return delegate.info(resolve(name));
    }

    @Override
    public Tensor load(String name, ScalarType dtype) throws IOException {
        return delegate.load(resolve(name), dtype);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        // the underlying source belongs to the caller
    }
}

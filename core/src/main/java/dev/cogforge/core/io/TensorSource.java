package dev.cogforge.core.io;

import java.io.IOException;
import java.util.Collection;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Something that holds named tensors and loads them one at a time (a safetensors file, a sharded checkpoint). */
public interface TensorSource extends AutoCloseable {
    Collection<String> names();

    /** Header facts of a tensor, or an exception naming the file and tensor when it is absent. */
    TensorInfo info(String name) throws IOException;

    /** Loads one tensor into a new CPU tensor converted to {@code dtype}. */
    Tensor load(String name, ScalarType dtype) throws IOException;

    /** Where the tensors come from, for error messages. */
    String describe();

    @Override
    void close();
}

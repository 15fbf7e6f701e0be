package dev.cogforge.core.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cogforge.core.engine.Tensors;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Writes a safetensors file atomically (temp file, then move): 8-byte little-endian header length, JSON header
 * padded with spaces to a multiple of 8, then the tensors' bytes in insertion order.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private record Entry(DType dtype, long[] shape, Tensor tensor, byte[] bytes) {
        long byteLength() {
            return bytes != null ? bytes.length : tensor.numel() * dtype.byteSize();
        }
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter metadata(Map<String, String> values) {
        metadata.putAll(values);
        return this;
    }

    /** Adds a libtorch tensor (any device); it is copied to CPU and made contiguous when written. */
    public SafetensorsWriter add(String name, Tensor tensor) {
        if (entries.containsKey(name)) throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        if (name.equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is reserved");
        entries.put(name, new Entry(DType.of(tensor.scalar_type()), Tensors.shape(tensor), tensor, null));
        return this;
    }

    /** Adds raw little-endian bytes of the given dtype and shape. */
    public SafetensorsWriter addBytes(String name, DType dtype, long[] shape, byte[] littleEndianBytes) {
        if (entries.containsKey(name)) throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        long n = 1;
        for (long d : shape) n *= d;
        if (n * dtype.byteSize() != littleEndianBytes.length) {
            throw new IllegalArgumentException(name + ": " + littleEndianBytes.length + " bytes for " + dtype + " " + java.util.Arrays.toString(shape));
        }
        entries.put(name, new Entry(dtype, shape.clone(), null, littleEndianBytes.clone()));
        return this;
    }

    public SafetensorsWriter addFloats(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return addBytes(name, DType.F32, shape, b.array());
    }

    public void write(Path target) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        List<Entry> order = new ArrayList<>(entries.values());
        List<String> names = new ArrayList<>(entries.keySet());
        for (int i = 0; i < order.size(); i++) {
            Entry e = order.get(i);
            ObjectNode t = header.putObject(names.get(i));
            t.put("dtype", e.dtype().name());
            var shape = t.putArray("shape");
            for (long d : e.shape()) shape.add(d);
            var offs = t.putArray("data_offsets");
            offs.add(offset);
            offset += e.byteLength();
            offs.add(offset);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) headerBytes[i] = ' ';
        AtomicFiles.write(target, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
            out.write(len.array());
            out.write(headerBytes);
            WritableByteChannel ch = Channels.newChannel(out);
            for (Entry e : order) {
                if (e.bytes() != null) {
                    out.write(e.bytes());
                    continue;
                }
                try (Tensor cpu = e.tensor().detach().to(new Device(torch.DeviceType.CPU), e.tensor().scalar_type()).contiguous()) {
                    long n = e.byteLength();
                    if (n == 0) continue;
                    // the CPU tensor is little-endian in memory on every platform libtorch supports
                    MemorySegment seg = Tensors.segment(cpu, n);
                    long chunk = 1 << 24;
                    for (long pos = 0; pos < n; pos += chunk) {
                        ByteBuffer bb = seg.asSlice(pos, Math.min(chunk, n - pos)).asByteBuffer();
                        while (bb.hasRemaining()) ch.write(bb);
                    }
                }
            }
            out.flush();
        });
    }

}

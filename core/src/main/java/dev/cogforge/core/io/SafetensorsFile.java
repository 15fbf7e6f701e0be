package dev.cogforge.core.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.cogforge.core.engine.Engine;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A memory-mapped, validated safetensors file. The header is parsed and checked completely on open; tensor bytes are
 * read lazily from the mapping, one tensor at a time, so multi-GiB checkpoints never land on the Java heap.
 */
public final class SafetensorsFile implements TensorSource {
    /** Larger headers are refused before anything is allocated (the official format caps them at 100 MB). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new SafetensorsException(path, "no such file");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new SafetensorsException(path, "file is " + size + " bytes, shorter than the 8-byte header length");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, path);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path, "header length " + Long.toUnsignedString(headerLen)
                        + " is not in [2, " + MAX_HEADER_BYTES + "]: not a safetensors file or corrupted");
            }
            if (8 + headerLen > size) {
                throw new SafetensorsException(path, "header length " + headerLen + " runs past the end of the "
                        + size + "-byte file (truncated download?)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, path);
            String headerText;
            try {
                headerText = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb.flip()).toString();
            } catch (CharacterCodingException e) {
                throw new SafetensorsException(path, "header is not valid UTF-8", e);
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(path, headerText, dataLen, metadata);
            MemorySegment mapped = dataLen == 0 ? MemorySegment.NULL
                    : ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLen, arena);
            return new SafetensorsFile(path, arena, mapped, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path path) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) throw new SafetensorsException(path, "unexpected end of file while reading the header");
        }
    }

    static Map<String, TensorInfo> parseHeader(Path path, String headerText, long dataLen, Map<String, String> metadataOut)
            throws SafetensorsException {
        JsonNode root;
        try {
            root = JSON.readTree(headerText);
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Duplicate field ")) {
                throw new SafetensorsException(path, "duplicate tensor name " + msg.substring("Duplicate field ".length()), e);
            }
            throw new SafetensorsException(path, "header is not valid JSON: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsException(path, "header is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new SafetensorsException(path, "header is not a JSON object");
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new SafetensorsException(path, "__metadata__ must be an object of strings");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw new SafetensorsException(path, "__metadata__ value of '" + kv.getKey() + "' is not a string");
                    }
                    metadataOut.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            out.put(name, parseEntry(path, name, v, dataLen));
        }
        checkOverlaps(path, out.values());
        return out;
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataLen) throws SafetensorsException {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) throw new SafetensorsException(path, where + ": entry is not an object");
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) throw new SafetensorsException(path, where + ": missing \"dtype\"");
        DType dtype = DType.fromHeader(dt.asText());
        if (dtype == null) throw new SafetensorsException(path, where + ": unsupported dtype '" + dt.asText()
                + "' (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) throw new SafetensorsException(path, where + ": missing \"shape\" array");
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new SafetensorsException(path, where + ": shape entry " + i + " is not a non-negative integer: " + d);
            }
            shape[i] = d.asLong();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException ex) {
                throw new SafetensorsException(path, where + ": shape " + sh + " overflows");
            }
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()
                || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()) {
            throw new SafetensorsException(path, where + ": \"data_offsets\" must be [begin, end]");
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLen) {
            throw new SafetensorsException(path, where + ": data_offsets [" + begin + ", " + end
                    + "] out of bounds of the " + dataLen + "-byte data section");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException ex) {
            throw new SafetensorsException(path, where + ": byte size overflows");
        }
        if (end - begin != expected) {
            throw new SafetensorsException(path, where + ": " + dtype + " " + sh + " needs " + expected
                    + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkOverlaps(Path path, java.util.Collection<TensorInfo> infos) throws SafetensorsException {
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.removeIf(t -> t.byteLength() == 0);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1), b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new SafetensorsException(path, "tensors '" + a.name() + "' and '" + b.name() + "' overlap in the data section");
            }
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    /** Tensor names in header order. */
    @Override
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new SafetensorsException(path, "no tensor named '" + name + "'");
        return t;
    }

    /** A read-only view of the tensor's bytes in the mapping (little-endian); valid until {@link #close()}. */
    public MemorySegment segment(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        if (t.byteLength() == 0) return MemorySegment.NULL;
        return data.asSlice(t.begin(), t.byteLength()).asReadOnly();
    }

    /** Copies the tensor into a new CPU libtorch tensor of its stored dtype. */
    public Tensor load(String name) throws SafetensorsException {
        Engine.ensureLoaded();
        TensorInfo t = info(name);
        Tensor out = torch.empty(t.shape(), new TensorOptions(t.dtype().scalarType()), new org.bytedeco.pytorch.MemoryFormatOptional());
        if (t.byteLength() > 0) {
            MemorySegment dst = MemorySegment.ofAddress(out.data_ptr().address()).reinterpret(t.byteLength());
            MemorySegment.copy(segment(name), 0, dst, 0, t.byteLength());
        }
        return out;
    }

    /** Copies the tensor and converts it to {@code target} (no copy of the converted result when dtypes agree). */
    @Override
    public Tensor load(String name, torch.ScalarType target) throws SafetensorsException {
        Tensor raw = load(name);
        if (raw.scalar_type().intern() == target.intern()) return raw;
        Tensor converted = raw.to(target);
        raw.close();
        return converted;
    }

    /** Reads a float tensor of any floating dtype into a Java array (small tensors: configs, tests, fixtures). */
    public float[] readFloats(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        long n = t.numel();
        if (n > Integer.MAX_VALUE) throw new SafetensorsException(path, "tensor '" + name + "' is too large for an array");
        MemorySegment s = segment(name);
        float[] out = new float[(int) n];
        ValueLayout.OfShort sh = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case F32 -> {
                ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) out[i] = s.getAtIndex(f, i);
            }
            case F64 -> {
                ValueLayout.OfDouble f = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) out[i] = (float) s.getAtIndex(f, i);
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((s.getAtIndex(sh, i) & 0xffff) << 16);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(s.getAtIndex(sh, i));
            }
            default -> throw new SafetensorsException(path, "tensor '" + name + "' is " + t.dtype() + ", not a float type");
        }
        return out;
    }

    /** Reads an integer tensor (I64/I32/I16/I8/U8/BOOL) into a long array. */
    public long[] readLongs(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        long n = t.numel();
        if (n > Integer.MAX_VALUE) throw new SafetensorsException(path, "tensor '" + name + "' is too large for an array");
        MemorySegment s = segment(name);
        long[] out = new long[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.dtype()) {
                case I64 -> s.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
                case I32 -> s.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
                case I16 -> s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
                case I8, BOOL -> s.get(ValueLayout.JAVA_BYTE, i);
                case U8 -> s.get(ValueLayout.JAVA_BYTE, i) & 0xff;
                default -> throw new SafetensorsException(path, "tensor '" + name + "' is " + t.dtype() + ", not an integer type");
            };
        }
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}

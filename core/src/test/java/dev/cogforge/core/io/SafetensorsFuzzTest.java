package dev.cogforge.core.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates a valid file thousands of times (seeded, so a failure replays) and requires that the reader either opens
 * and loads every tensor, or refuses with an {@link IOException} carrying a message: never another exception, an
 * allocation sized by a corrupt field, or a crash in native code.
 */
class SafetensorsFuzzTest {
    private static final long SEED = 20240611L;
    private static final int ITERATIONS = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @TempDir
    Path dir;

    @Test
    void mutatedFilesOpenOrFailWithAMessage() throws Exception {
        Path valid = dir.resolve("valid.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        Random init = new Random(SEED);
        for (DType d : DType.values()) {
            byte[] b = new byte[6 * d.byteSize()];
            init.nextBytes(b);
            w.addBytes("block." + d.name(), d, new long[] {2, 3}, b);
        }
        w.addBytes("empty", DType.F32, new long[] {0, 4}, new byte[0]);
        w.write(valid);
        byte[] original = Files.readAllBytes(valid);
        long headerLen = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] header = Arrays.copyOfRange(original, 8, 8 + (int) headerLen);
        byte[] data = Arrays.copyOfRange(original, 8 + (int) headerLen, original.length);

        dev.cogforge.core.engine.Engine.ensureLoaded();
        Random rnd = new Random(SEED);
        Path target = dir.resolve("mutant.safetensors");
        int opened = 0, refused = 0;
        long start = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            String mutation;
            byte[] mutant;
            switch (i % 4) {
                case 0 -> {
                    int len = rnd.nextInt(original.length);
                    mutation = "truncate to " + len;
                    mutant = Arrays.copyOf(original, len);
                }
                case 1 -> {
                    mutant = original.clone();
                    int flips = 1 + rnd.nextInt(6);
                    StringBuilder m = new StringBuilder("flip");
                    for (int f = 0; f < flips; f++) {
                        int pos = rnd.nextInt(8 + (int) headerLen);
                        mutant[pos] = (byte) rnd.nextInt(256);
                        m.append(' ').append(pos);
                    }
                    mutation = m.toString();
                }
                case 2 -> {
                    ObjectNode root = (ObjectNode) JSON.readTree(header);
                    mutation = editJson(root, rnd);
                    mutant = assemble(JSON.writeValueAsBytes(root), data);
                }
                default -> {
                    byte[] text = editText(header, rnd);
                    mutation = "text edit -> " + new String(text, StandardCharsets.UTF_8);
                    mutant = assemble(text, data);
                }
            }
            Files.write(target, mutant);
            try {
                exercise(target);
                opened++;
            } catch (IOException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    fail("iteration " + i + " (" + mutation + "): IOException without a message", e);
                }
                refused++;
            } catch (Throwable t) {
                fail("iteration " + i + " (" + mutation + "): " + t, t);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("safetensors fuzz: %d mutants, %d opened, %d refused, %.1f s%n", ITERATIONS, opened, refused, seconds);
        assertTrue(refused > ITERATIONS / 4, "too few mutants were refused (" + refused + "): the mutations are not biting");
        assertTrue(opened > 0, "no mutant opened: the mutations never leave a readable file");
    }

    private static void exercise(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            for (String name : f.names()) {
                TensorInfo info = f.info(name);
                f.load(name, ScalarType.Float);
                if (info.dtype().isFloatingPoint()) f.readFloats(name);
                else f.readLongs(name);
            }
        }
    }

    private static byte[] assemble(byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(header.length).put(header).put(data).array();
    }

    private static final Object[] ODD_VALUES = {-1L, 0L, 1L, 7L, 1L << 31, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE,
            1.5, -0.0, 1e300, "12", null, true, "BF16", new java.math.BigInteger("123456789012345678901234567890")};

    private static JsonNode oddValue(Random rnd) {
        Object v = ODD_VALUES[rnd.nextInt(ODD_VALUES.length)];
        if (v == null) return NODES.nullNode();
        if (v instanceof Long l) return NODES.numberNode(l);
        if (v instanceof Double d) return NODES.numberNode(d);
        if (v instanceof String s) return NODES.textNode(s);
        if (v instanceof Boolean b) return NODES.booleanNode(b);
        return NODES.numberNode((java.math.BigInteger) v);
    }

    private static String editJson(ObjectNode root, Random rnd) {
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        String name = names.get(rnd.nextInt(names.size()));
        JsonNode entry = root.get(name);
        int kind = rnd.nextInt(9);
        if (!(entry instanceof ObjectNode e) || kind == 0) {
            root.set(name, oddValue(rnd));
            return "replace " + name + " with a scalar";
        }
        switch (kind) {
            case 1 -> {
                String[] dtypes = {"F32", "F64", "BF16", "U8", "BOOL", "I64", "F8_E4M3", "", "f32"};
                e.put("dtype", dtypes[rnd.nextInt(dtypes.length)]);
            }
            case 2, 3 -> {
                JsonNode shape = e.get("shape");
                if (shape instanceof ArrayNode a && !a.isEmpty()) a.set(rnd.nextInt(a.size()), oddValue(rnd));
                else e.set("shape", oddValue(rnd));
            }
            case 4, 5 -> {
                JsonNode offs = e.get("data_offsets");
                if (offs instanceof ArrayNode a && !a.isEmpty()) a.set(rnd.nextInt(a.size()), oddValue(rnd));
                else e.set("data_offsets", oddValue(rnd));
            }
            case 6 -> {
                String[] fields = {"dtype", "shape", "data_offsets"};
                e.remove(fields[rnd.nextInt(3)]);
            }
            case 7 -> {
                ArrayNode shape = e.putArray("shape");
                int dims = rnd.nextInt(5);
                for (int d = 0; d < dims; d++) shape.add(rnd.nextInt(10));
            }
            default -> {
                ObjectNode extra = root.putObject("extra" + rnd.nextInt(3));
                extra.put("dtype", "F32");
                extra.putArray("shape").add(rnd.nextInt(4));
                extra.putArray("data_offsets").add(rnd.nextInt(64)).add(rnd.nextInt(64));
            }
        }
        return "edit " + name + " kind " + kind + " -> " + root;
    }

    private static byte[] editText(byte[] header, Random rnd) {
        String alphabet = "{}[]\":,0123456789-eE. \\u\u00e9";
        byte[] out = header.clone();
        int edits = 1 + rnd.nextInt(4);
        for (int k = 0; k < edits; k++) {
            int pos = rnd.nextInt(out.length);
            switch (rnd.nextInt(3)) {
                case 0 -> out[pos] = (byte) alphabet.charAt(rnd.nextInt(alphabet.length()));
                case 1 -> {
                    byte[] shorter = new byte[out.length - 1];
                    System.arraycopy(out, 0, shorter, 0, pos);
                    System.arraycopy(out, pos + 1, shorter, pos, out.length - pos - 1);
                    out = shorter.length == 0 ? new byte[] {'{'} : shorter;
                }
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, pos);
                    longer[pos] = (byte) rnd.nextInt(256);
                    System.arraycopy(out, pos, longer, pos + 1, out.length - pos);
                    out = longer;
                }
            }
        }
        return out;
    }
}

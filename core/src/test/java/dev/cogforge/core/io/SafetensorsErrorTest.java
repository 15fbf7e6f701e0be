package dev.cogforge.core.io;

import static dev.cogforge.core.io.SafetensorsTestFiles.raw;
import static dev.cogforge.core.io.SafetensorsTestFiles.rawWithLength;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file is refused on open with a message naming the file and, where one is involved, the tensor. */
class SafetensorsErrorTest {
    @TempDir
    Path dir;

    private SafetensorsException refused(Path file, String... mustContain) {
        var e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file.toString()), "message does not name the file: " + e.getMessage());
        for (String s : mustContain) assertTrue(e.getMessage().contains(s), "expected '" + s + "' in: " + e.getMessage());
        return e;
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void headerLengthBeyondTheFileIsRefusedWithoutAllocatingIt() throws Exception {
        Path f = rawWithLength(dir.resolve("trunc.safetensors"), 90L * 1024 * 1024, "{}".getBytes(), new byte[0]);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        refused(f, "runs past the end");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 8L * 1024 * 1024, "allocated " + allocated + " bytes for a header that is not there");
    }

    @Test
    void absurdHeaderLengthsAreRefused() throws Exception {
        refused(rawWithLength(dir.resolve("huge.safetensors"), 1L << 40, "{}".getBytes(), new byte[0]), "header length");
        refused(rawWithLength(dir.resolve("neg.safetensors"), -1, "{}".getBytes(), new byte[0]), "18446744073709551615");
        refused(rawWithLength(dir.resolve("zero.safetensors"), 0, new byte[0], new byte[0]), "header length 0");
        refused(raw(dir.resolve("short.safetensors"), new byte[0], new byte[0]), "header length");
        Path tiny = dir.resolve("tiny.safetensors");
        java.nio.file.Files.write(tiny, new byte[] {1, 2, 3});
        refused(tiny, "shorter than the 8-byte header length");
    }

    @Test
    void offsetsOutOfBoundsAreRefusedNamingTheTensor() throws Exception {
        refused(raw(dir.resolve("oob.safetensors"), "{" + entry("w", "F32", "[2]", 0, 8) + "}", new byte[4]),
                "tensor 'w'", "out of bounds");
        refused(raw(dir.resolve("neg.safetensors"), "{" + entry("w", "F32", "[1]", -4, 0) + "}", new byte[4]),
                "tensor 'w'", "out of bounds");
        refused(raw(dir.resolve("rev.safetensors"), "{" + entry("w", "U8", "[0]", 4, 2) + "}", new byte[4]),
                "tensor 'w'", "out of bounds");
    }

    @Test
    void overlappingTensorsAreRefusedNamingBoth() throws Exception {
        String h = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        refused(raw(dir.resolve("overlap.safetensors"), h, new byte[12]), "'a'", "'b'", "overlap");
    }

    @Test
    void byteCountMustMatchDtypeAndShape() throws Exception {
        refused(raw(dir.resolve("count.safetensors"), "{" + entry("w", "F16", "[3]", 0, 8) + "}", new byte[8]),
                "tensor 'w'", "needs 6 bytes", "span 8");
        refused(raw(dir.resolve("ovf.safetensors"), "{" + entry("w", "F64", "[4294967296,4294967296]", 0, 8) + "}", new byte[8]),
                "tensor 'w'", "overflows");
        refused(raw(dir.resolve("negshape.safetensors"), "{" + entry("w", "U8", "[-1]", 0, 0) + "}", new byte[0]),
                "tensor 'w'", "shape entry 0");
        refused(raw(dir.resolve("fshape.safetensors"), "{" + entry("w", "U8", "[1.5]", 0, 1) + "}", new byte[1]),
                "tensor 'w'", "shape entry 0");
    }

    @Test
    void unknownOrMissingFieldsAreRefusedNamingTheTensor() throws Exception {
        refused(raw(dir.resolve("dtype.safetensors"), "{" + entry("w", "Q4", "[1]", 0, 1) + "}", new byte[1]),
                "tensor 'w'", "unsupported dtype 'Q4'");
        refused(raw(dir.resolve("nodtype.safetensors"), "{\"w\":{\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]),
                "tensor 'w'", "dtype");
        refused(raw(dir.resolve("noshape.safetensors"), "{\"w\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", new byte[1]),
                "tensor 'w'", "shape");
        refused(raw(dir.resolve("nooff.safetensors"), "{\"w\":{\"dtype\":\"U8\",\"shape\":[1]}}", new byte[1]),
                "tensor 'w'", "data_offsets");
        refused(raw(dir.resolve("notobj.safetensors"), "{\"w\":[1,2]}", new byte[0]), "tensor 'w'");
        refused(raw(dir.resolve("meta.safetensors"), "{\"__metadata__\":{\"k\":1}}", new byte[0]), "__metadata__", "'k'");
    }

    @Test
    void duplicateNamesAreRefused() throws Exception {
        String h = "{" + entry("w", "U8", "[1]", 0, 1) + "," + entry("w", "U8", "[1]", 1, 2) + "}";
        refused(raw(dir.resolve("dup.safetensors"), h, new byte[2]), "duplicate", "'w'");
    }

    @Test
    void headerMustBeUtf8Json() throws Exception {
        byte[] bad = {'{', '"', 'w', (byte) 0xff, '"', ':', '1', '}'};
        refused(raw(dir.resolve("utf8.safetensors"), bad, new byte[0]), "UTF-8");
        refused(raw(dir.resolve("json.safetensors"), "{\"w\": {", new byte[0]), "not valid JSON");
        refused(raw(dir.resolve("array.safetensors"), "[1, 2]", new byte[0]), "not a JSON object");
        refused(raw(dir.resolve("trailing.safetensors"), "{} {}", new byte[0]), "JSON");
    }

    @Test
    void missingFileIsNamed() {
        refused(dir.resolve("absent.safetensors"), "no such file");
    }
}

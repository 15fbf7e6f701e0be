package dev.cogforge.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import dev.cogforge.core.engine.Tensors;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyDtypeRoundTripsByteExactlyWithMetadata() throws Exception {
        Random rnd = new Random(42);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata(Map.of("note", "ünïcode ✓"));
        long[] shape = {3, 5};
        byte[][] expected = new byte[DType.values().length][];
        for (DType d : DType.values()) {
            byte[] bytes = new byte[15 * d.byteSize()];
            rnd.nextBytes(bytes);
            if (d == DType.BOOL) for (int i = 0; i < bytes.length; i++) bytes[i] &= 1;
            expected[d.ordinal()] = bytes;
            w.addBytes("t." + d.name().toLowerCase(), d, shape, bytes);
        }
        Path file = dir.resolve("all.safetensors");
        w.write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            assertEquals("pt", f.metadata().get("format"));
            assertEquals("ünïcode ✓", f.metadata().get("note"));
            assertEquals(DType.values().length, f.names().size());
            for (DType d : DType.values()) {
                String name = "t." + d.name().toLowerCase();
                TensorInfo info = f.info(name);
                assertEquals(d, info.dtype());
                assertArrayEquals(shape, info.shape());
                assertArrayEquals(expected[d.ordinal()], f.segment(name).toArray(ValueLayout.JAVA_BYTE), name);
                Tensor t = f.load(name);
                assertEquals(d.scalarType(), Tensors.scalarType(t));
                assertArrayEquals(expected[d.ordinal()],
                        Tensors.segment(t, expected[d.ordinal()].length).toArray(ValueLayout.JAVA_BYTE), name + " via libtorch");
            }
        }
    }

    @Test
    void headerIsPaddedToEightBytes() throws Exception {
        Path file = dir.resolve("pad.safetensors");
        new SafetensorsWriter().addFloats("x", new float[] {1}, 1).write(file);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b.getLong(0) % 8);
    }

    @Test
    void tensorsFromLibtorchRoundTripInEveryDtype() throws Exception {
        Path file = dir.resolve("torch.safetensors");
        float[] values = {0f, 1f, -2f, 3.5f, 100f, -0.25f};
        try (PointerScope scope = new PointerScope()) {
            Tensor base = Tensors.fromFloats(values, 2, 3);
            SafetensorsWriter w = new SafetensorsWriter();
            for (DType d : DType.values()) w.add(d.name(), base.to(d.scalarType()));
            w.write(file);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (DType d : DType.values()) {
                    Tensor back = f.load(d.name(), ScalarType.Float);
                    float[] expect = Tensors.toFloats(base.to(d.scalarType()));
                    assertArrayEquals(expect, Tensors.toFloats(back), d.name());
                    if (d.isFloatingPoint()) assertArrayEquals(values, f.readFloats(d.name()), d.name());
                    else assertEquals(expect.length, f.readLongs(d.name()).length);
                }
            }
        }
    }

    @Test
    void emptyAndScalarTensorsAndEmptyFiles() throws Exception {
        Path file = dir.resolve("empty.safetensors");
        new SafetensorsWriter()
                .addBytes("zero", DType.F32, new long[] {0}, new byte[0])
                .addBytes("zero2d", DType.BF16, new long[] {4, 0}, new byte[0])
                .addBytes("scalar", DType.I64, new long[] {}, new byte[] {7, 0, 0, 0, 0, 0, 0, 0})
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            assertEquals(0, f.info("zero").byteLength());
            assertArrayEquals(new long[] {4, 0}, Tensors.shape(f.load("zero2d")));
            assertEquals(0, f.readFloats("zero").length);
            assertArrayEquals(new long[] {7}, f.readLongs("scalar"));
            assertEquals(0, f.load("scalar").dim());
        }
        Path none = dir.resolve("none.safetensors");
        new SafetensorsWriter().write(none);
        try (SafetensorsFile f = SafetensorsFile.open(none)) {
            assertTrue(f.names().isEmpty());
            assertTrue(f.metadata().isEmpty());
        }
    }
}

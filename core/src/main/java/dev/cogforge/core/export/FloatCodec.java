package dev.cogforge.core.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import dev.cogforge.core.io.DType;

/** float32 → F32/F16/BF16 little-endian bytes with round-to-nearest-even, the rounding torch's {@code .to()} uses. */
final class FloatCodec {
    private FloatCodec() {}

    static byte[] encode(float[] values, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> {
                for (float v : values) b.putFloat(v);
            }
            case F16 -> {
                for (float v : values) b.putShort(Float.floatToFloat16(v));
            }
            case BF16 -> {
                for (float v : values) b.putShort(toBfloat16(v));
            }
            default -> throw new IllegalArgumentException("not a float export dtype: " + dtype);
        }
        return b.array();
    }

    static short toBfloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}

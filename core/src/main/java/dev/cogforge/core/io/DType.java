package dev.cogforge.core.io;

import java.util.Locale;

import org.bytedeco.pytorch.global.torch.ScalarType;

/** Element types of the safetensors format, with their byte sizes and libtorch scalar types. */
public enum DType {
    F64(8, ScalarType.Double),
    F32(4, ScalarType.Float),
    F16(2, ScalarType.Half),
    BF16(2, ScalarType.BFloat16),
    I64(8, ScalarType.Long),
    I32(4, ScalarType.Int),
    I16(2, ScalarType.Short),
    I8(1, ScalarType.Char),
    U8(1, ScalarType.Byte),
    BOOL(1, ScalarType.Bool);

    private final int byteSize;
    private final ScalarType scalarType;

    DType(int byteSize, ScalarType scalarType) {
        this.byteSize = byteSize;
        this.scalarType = scalarType;
    }

    public int byteSize() {
        return byteSize;
    }

    public ScalarType scalarType() {
        return scalarType;
    }

    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** Parses the header spelling ("F32", "BF16", ...); returns null for a name this format does not define here. */
    public static DType fromHeader(String name) {
        if (name == null) return null;
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static DType of(ScalarType type) {
        // JavaCPP hands out non-interned enum instances for native values, so compare the numeric code
        for (DType d : values()) if (d.scalarType.value == type.value) return d;
        throw new IllegalArgumentException("no safetensors dtype for libtorch scalar type " + type);
    }
}

package dev.gpt4video.core.checkpoint;

import ai.djl.ndarray.types.DataType;

/** Element types a safetensors file may hold, with their on-disk names and DJL equivalents. */
public enum DType {
    F32("F32", 4, DataType.FLOAT32),
    F16("F16", 2, DataType.FLOAT16),
    BF16("BF16", 2, DataType.BFLOAT16),
    F64("F64", 8, DataType.FLOAT64),
    I64("I64", 8, DataType.INT64),
    I32("I32", 4, DataType.INT32),
    I16("I16", 2, DataType.INT16),
    I8("I8", 1, DataType.INT8),
    U8("U8", 1, DataType.UINT8),
    BOOL("BOOL", 1, DataType.BOOLEAN);

    private final String safetensorsName;
    private final int byteSize;
    private final DataType dataType;

    DType(String safetensorsName, int byteSize, DataType dataType) {
        this.safetensorsName = safetensorsName;
        this.byteSize = byteSize;
        this.dataType = dataType;
    }

    public String safetensorsName() {
        return safetensorsName;
    }

    public int byteSize() {
        return byteSize;
    }

    public DataType dataType() {
        return dataType;
    }

    public boolean isFloating() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** Returns the type for a safetensors dtype string, or null when it is not one we read. */
    public static DType fromSafetensors(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The DType for a DJL data type; fails for types safetensors cannot hold. */
    public static DType of(DataType dataType) {
        for (DType t : values()) {
            if (t.dataType == dataType) {
                return t;
            }
        }
        throw new IllegalArgumentException("no safetensors dtype for " + dataType);
    }
}

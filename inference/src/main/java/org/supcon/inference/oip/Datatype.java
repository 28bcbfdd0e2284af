package org.supcon.inference.oip;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The OIP tensor datatypes this server accepts for the {@code images} input. */
public enum Datatype {
    /** 32-bit IEEE float, little-endian in raw contents; pixel values 0..255. */
    FP32(4),
    /** 8-bit unsigned pixel values, converted to float 0..255. */
    UINT8(1);

    /** Bytes per element in raw contents. */
    public final int bytes;

    Datatype(int bytes) {
        this.bytes = bytes;
    }

    /** Parses the spec's datatype name (case-sensitive, as the spec says), or refuses naming the accepted ones. */
    public static Datatype parse(String name) {
        for (Datatype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        String accepted = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
        throw OipException.invalid("input 'images' has datatype '" + (name == null ? "" : name)
                + "'; this model accepts " + accepted);
    }
}

package dev.ferry.image;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * One type-length-value entry of a TLV area.
 *
 * @param type the raw 16-bit type; see {@link #knownType()} for MCUboot's meaning
 * @param offset where the value starts in the image bytes, or -1 for a TLV not yet written
 */
public record Tlv(int type, byte[] value, int offset) {

    public Tlv {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("TLV type " + type + " does not fit 16 bits");
        }
        Objects.requireNonNull(value, "value");
        if (value.length > ImageFormat.MAX_TLV_AREA_SIZE) {
            throw new IllegalArgumentException("TLV value of " + value.length + " bytes does not fit 16 bits");
        }
        value = value.clone();
    }

    /** A TLV to be written into a new image. */
    public static Tlv of(TlvType type, byte[] value) {
        return new Tlv(type.code(), value, -1);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    /** Size in the TLV area: the 4-byte entry header plus the value. */
    public int encodedSize() {
        return ImageFormat.TLV_HEADER_SIZE + value.length;
    }

    public Optional<TlvType> knownType() {
        return TlvType.fromCode(type);
    }

    public boolean is(TlvType known) {
        return type == known.code();
    }

    /** The name MCUboot uses for the type, or {@code 0x00a0} style for unknown ones. */
    public String typeName() {
        return knownType().map(Enum::name).orElse(String.format("0x%04x", type));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tlv other && type == other.type && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return typeName() + "[" + value.length + "]=" + HexFormat.of().formatHex(value);
    }
}

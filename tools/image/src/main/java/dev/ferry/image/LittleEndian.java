package dev.ferry.image;

/**
 * Little-endian reads and writes over a byte array; MCUboot's on-flash structures are packed
 * little-endian. Reads take absolute offsets that the caller has already bounds-checked.
 */
public final class LittleEndian {

    private final byte[] buf;
    private int position;

    public LittleEndian(int size) {
        this.buf = new byte[size];
    }

    private LittleEndian(byte[] buf) {
        this.buf = buf;
    }

    public static LittleEndian wrap(byte[] bytes) {
        return new LittleEndian(bytes);
    }

    public LittleEndian u8(int value) {
        buf[position++] = (byte) value;
        return this;
    }

    public LittleEndian u16(int value) {
        u8(value).u8(value >>> 8);
        return this;
    }

    public LittleEndian u32(long value) {
        u16((int) (value & 0xffff)).u16((int) ((value >>> 16) & 0xffff));
        return this;
    }

    public LittleEndian bytes(byte[] value) {
        System.arraycopy(value, 0, buf, position, value.length);
        position += value.length;
        return this;
    }

    public byte[] bytes() {
        return buf;
    }

    public int u8At(int offset) {
        return buf[offset] & 0xff;
    }

    public int u16At(int offset) {
        return u8At(offset) | (u8At(offset + 1) << 8);
    }

    public long u32At(int offset) {
        return (u16At(offset) | ((long) u16At(offset + 2) << 16)) & 0xffff_ffffL;
    }
}

package dev.ferry.sim.device;

/**
 * Damages a package as it streams into the slot. {@link #ofBody()} flips one byte in the middle of the image's
 * body, so the image still parses but its hash no longer matches: a damaged download, caught before any reboot
 * (result 5). {@link #ofMagic()} overwrites the first bytes, so the package is no MCUboot image at all (result 6).
 */
final class Corruption {
    private static final byte[] FOREIGN_MAGIC = { 0x7f, 'E', 'L', 'F' };
    private final boolean magic;
    private long target = -1;

    private Corruption(boolean magic) {
        this.magic = magic;
    }

    static Corruption ofBody() {
        return new Corruption(false);
    }

    static Corruption ofMagic() {
        return new Corruption(true);
    }

    /** Returns {@code data} (at {@code offset} of the package), damaged if the chosen bytes are there. */
    byte[] apply(long offset, byte[] data) {
        if (magic) {
            if (offset != 0 || data.length < FOREIGN_MAGIC.length) {
                return data;
            }
            byte[] copy = data.clone();
            System.arraycopy(FOREIGN_MAGIC, 0, copy, 0, FOREIGN_MAGIC.length);
            return copy;
        }
        if (offset == 0 && data.length >= 16) {
            long headerSize = (data[8] & 0xff) | (data[9] & 0xff) << 8;
            long imageSize = (data[12] & 0xffL) | (data[13] & 0xffL) << 8 | (data[14] & 0xffL) << 16
                    | (data[15] & 0xffL) << 24;
            target = headerSize + Math.max(imageSize / 2, 0);
        }
        if (target < offset || target >= offset + data.length) {
            return data;
        }
        byte[] copy = data.clone();
        copy[(int) (target - offset)] ^= 0x5a;
        return copy;
    }
}

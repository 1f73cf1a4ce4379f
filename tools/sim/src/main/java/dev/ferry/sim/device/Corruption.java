package dev.ferry.sim.device;

/**
 * Flips one byte in the middle of an image's body as it streams into the slot, so the image still
 * parses but its hash no longer matches: a damaged download, caught before any reboot (result 5).
 */
final class Corruption {
    private long target = -1;

    /** Returns {@code data} (at {@code offset} of the package), with the chosen byte flipped if it is there. */
    byte[] apply(long offset, byte[] data) {
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

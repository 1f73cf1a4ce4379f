package dev.ferry.image;

/**
 * The boot trailer magic at the very end of a slot. Fixed format: these 16 bytes are
 * MCUboot's {@code boot_img_magic}; with a max alignment above 8 the first two bytes hold the
 * alignment instead (see imgtool's {@code Image.__init__}).
 */
public final class SlotTrailerMagic {

    /** Fixed format: {@code boot_img_magic} for a max alignment of 8. */
    private static final byte[] MAGIC = {
        0x77, (byte) 0xc2, (byte) 0x95, (byte) 0xf3, 0x60, (byte) 0xd2, (byte) 0xef, 0x7f,
        0x35, 0x52, 0x50, 0x0f, 0x2c, (byte) 0xb6, 0x79, (byte) 0x80,
    };

    /** Fixed format: the last 14 bytes of the magic when the first two carry the alignment. */
    private static final byte[] ALIGNED_MAGIC_TAIL = {
        0x2d, (byte) 0xe1, 0x5d, 0x29, 0x41, 0x0b, (byte) 0x8d, 0x77,
        0x67, (byte) 0x9c, 0x11, 0x0f, 0x1f, (byte) 0x8a,
    };

    public static final int SIZE = 16;

    private SlotTrailerMagic() {
    }

    /** The magic written for a slot whose largest write alignment is {@code maxAlign}. */
    public static byte[] forMaxAlign(int maxAlign) {
        if (maxAlign == 8) {
            return MAGIC.clone();
        }
        byte[] magic = new byte[SIZE];
        magic[0] = (byte) maxAlign;
        magic[1] = (byte) (maxAlign >>> 8);
        System.arraycopy(ALIGNED_MAGIC_TAIL, 0, magic, 2, ALIGNED_MAGIC_TAIL.length);
        return magic;
    }

    static boolean endsWithMagic(byte[] bytes, int from) {
        if (bytes.length - from < SIZE) {
            return false;
        }
        int start = bytes.length - SIZE;
        boolean classic = true;
        boolean aligned = true;
        for (int i = 0; i < SIZE; i++) {
            classic &= bytes[start + i] == MAGIC[i];
            aligned &= i < 2 || bytes[start + i] == ALIGNED_MAGIC_TAIL[i - 2];
        }
        return classic || aligned;
    }
}

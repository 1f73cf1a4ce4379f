package dev.ferry.image;

import java.util.EnumSet;
import java.util.Set;

/**
 * The bits of {@code ih_flags}. Fixed format: the bit values are MCUboot's {@code IMAGE_F_*}.
 */
public enum ImageFlag {
    PIC(0x0000_0001),
    ENCRYPTED_AES128(0x0000_0004),
    ENCRYPTED_AES256(0x0000_0008),
    NON_BOOTABLE(0x0000_0010),
    RAM_LOAD(0x0000_0020),
    ROM_FIXED(0x0000_0100),
    COMPRESSED_LZMA1(0x0000_0200),
    COMPRESSED_LZMA2(0x0000_0400),
    COMPRESSED_ARM_THUMB(0x0000_0800);

    private final int bit;

    ImageFlag(int bit) {
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    /** The named flags set in {@code flags}; bits MCUboot does not define are ignored here. */
    public static Set<ImageFlag> decode(int flags) {
        Set<ImageFlag> set = EnumSet.noneOf(ImageFlag.class);
        for (ImageFlag flag : values()) {
            if ((flags & flag.bit) != 0) {
                set.add(flag);
            }
        }
        return set;
    }

    public static int encode(Set<ImageFlag> flags) {
        int bits = 0;
        for (ImageFlag flag : flags) {
            bits |= flag.bit;
        }
        return bits;
    }
}

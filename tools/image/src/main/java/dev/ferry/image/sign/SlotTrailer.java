package dev.ferry.image.sign;

import dev.ferry.image.SlotTrailerMagic;
import java.util.Arrays;

/**
 * The boot trailer MCUboot keeps at the end of a slot (swap status, flags, magic), laid out as
 * imgtool's {@code _trailer_size} and {@code pad_to} lay it out for unencrypted images.
 *
 * <p>Fixed format: the sizes below (3 status entries per sector, 4 flag words, a 16-byte
 * magic) are read by the bootloader; they must match its configuration.
 */
final class SlotTrailer {

    /** Fixed format: status entries per sector in swap mode. */
    private static final int STATUS_ENTRIES_PER_SECTOR = 3;
    /** Fixed format: image_ok, copy_done, swap_info and swap_size, each one max-alignment unit. */
    private static final int FLAG_FIELDS = 4;
    /** Fixed format: the value MCUboot writes to image_ok to confirm an image. */
    private static final byte IMAGE_OK = 0x01;

    private final SignOptions options;

    SlotTrailer(SignOptions options) {
        this.options = options;
    }

    int size() {
        int magicAlignSize = alignUp(SlotTrailerMagic.SIZE, options.maxAlign());
        if (options.overwriteOnly()) {
            return options.maxAlign() * 2 + magicAlignSize;
        }
        return options.maxSectors() * STATUS_ENTRIES_PER_SECTOR * options.align()
                + options.maxAlign() * FLAG_FIELDS + magicAlignSize;
    }

    /** Erased fill up to the slot end, the magic last, and image_ok set when confirmed. */
    byte[] padding(int imageLength) {
        byte[] pad = new byte[options.slotSize() - imageLength];
        Arrays.fill(pad, (byte) options.erasedValue());
        byte[] magic = SlotTrailerMagic.forMaxAlign(options.maxAlign());
        System.arraycopy(magic, 0, pad, pad.length - magic.length, magic.length);
        if (options.confirm() && !options.overwriteOnly()) {
            int magicAlignSize = alignUp(SlotTrailerMagic.SIZE, options.maxAlign());
            pad[pad.length - (magicAlignSize + options.maxAlign())] = IMAGE_OK;
        }
        return pad;
    }

    private static int alignUp(int value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }
}

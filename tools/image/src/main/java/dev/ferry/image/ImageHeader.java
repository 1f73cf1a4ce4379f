package dev.ferry.image;

import java.util.Set;

/**
 * The fields of MCUboot's {@code struct image_header}.
 *
 * <p>Fixed format (32 bytes, little-endian): magic u32, load address u32, header size u16,
 * protected TLV size u16, image size u32, flags u32, version (u8, u8, u16, u32), pad u32.
 *
 * @param loadAddress RAM load address, or the fixed ROM address when {@link ImageFlag#ROM_FIXED}
 * @param headerSize bytes from the image start to the body, header struct and padding included
 * @param protectedTlvSize size of the protected TLV area including its info header, or 0
 * @param imageSize size of the body, header excluded
 */
public record ImageHeader(
        long loadAddress, int headerSize, int protectedTlvSize, long imageSize, int flags, ImageVersion version) {

    public ImageHeader {
        if (loadAddress < 0 || loadAddress > 0xffff_ffffL) {
            throw new IllegalArgumentException("load address " + loadAddress + " does not fit 32 bits");
        }
        if (headerSize < ImageFormat.HEADER_STRUCT_SIZE || headerSize > 0xffff) {
            throw new IllegalArgumentException("header size " + headerSize + " is out of range 32..0xffff");
        }
        if (protectedTlvSize < 0 || protectedTlvSize > 0xffff) {
            throw new IllegalArgumentException("protected TLV size " + protectedTlvSize + " does not fit 16 bits");
        }
        if (imageSize < 0 || imageSize > 0xffff_ffffL) {
            throw new IllegalArgumentException("image size " + imageSize + " does not fit 32 bits");
        }
    }

    public Set<ImageFlag> flagSet() {
        return ImageFlag.decode(flags);
    }

    public boolean has(ImageFlag flag) {
        return (flags & flag.bit()) != 0;
    }

    /** Offset of the first TLV area: {@code BOOT_TLV_OFF(hdr)} in MCUboot. */
    public long tlvOffset() {
        return headerSize + imageSize;
    }

    /** The 32-byte header struct; the rest of the header area is not part of it. */
    public byte[] encode() {
        return new LittleEndian(ImageFormat.HEADER_STRUCT_SIZE)
                .u32(ImageFormat.IMAGE_MAGIC & 0xffff_ffffL)
                .u32(loadAddress)
                .u16(headerSize)
                .u16(protectedTlvSize)
                .u32(imageSize)
                .u32(flags & 0xffff_ffffL)
                .u8(version.major())
                .u8(version.minor())
                .u16(version.revision())
                .u32(version.build())
                .u32(0)
                .bytes();
    }
}

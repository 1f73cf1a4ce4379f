package dev.ferry.image;

/**
 * The on-flash constants of the MCUboot image format, as defined by MCUboot's
 * {@code boot/bootutil/include/bootutil/image.h} and written by {@code imgtool}.
 *
 * <p><strong>Fixed format:</strong> every value here is read by bootloaders already in the
 * field. Changing one makes every image we produce unbootable; never edit them.
 * All multi-byte fields are little-endian.
 */
public final class ImageFormat {

    /** Fixed format: {@code IMAGE_MAGIC}, first word of every image header. */
    public static final int IMAGE_MAGIC = 0x96f3b83d;

    /** Fixed format: size of {@code struct image_header}; a header area is at least this big. */
    public static final int HEADER_STRUCT_SIZE = 32;

    /** Fixed format: {@code IMAGE_TLV_INFO_MAGIC}, starts the unprotected TLV area. */
    public static final int TLV_INFO_MAGIC = 0x6907;

    /** Fixed format: {@code IMAGE_TLV_PROT_INFO_MAGIC}, starts the protected TLV area. */
    public static final int TLV_PROT_INFO_MAGIC = 0x6908;

    /** Fixed format: size of {@code struct image_tlv_info} (magic u16, total length u16). */
    public static final int TLV_INFO_SIZE = 4;

    /** Fixed format: size of {@code struct image_tlv} (type u16, length u16). */
    public static final int TLV_HEADER_SIZE = 4;

    /** The largest value a u16 length field can hold; a TLV area can never be larger. */
    public static final int MAX_TLV_AREA_SIZE = 0xffff;

    private ImageFormat() {
    }
}

package dev.ferry.image;

/**
 * Why bytes are not a well-formed MCUboot image. Each value names one exact problem, so a
 * caller can map it to exactly one response (an HTTP status, an LwM2M update result).
 */
public enum ImageFormatError {
    /** The input ends before the 32-byte header struct does. */
    TRUNCATED_HEADER,
    /** The first word is not {@code IMAGE_MAGIC}; the file was not made by imgtool (or is unsigned). */
    BAD_MAGIC,
    /** {@code ih_hdr_size} is below 32 or runs past the end of the input. */
    HEADER_SIZE_OUT_OF_RANGE,
    /** {@code ih_img_size} runs the body past the end of the input. */
    IMAGE_SIZE_OUT_OF_RANGE,
    /** There is no room for a TLV info header where one must start. */
    MISSING_TLV_AREA,
    /** A TLV area does not start with {@code 0x6907} (or {@code 0x6908} for the protected one). */
    BAD_TLV_INFO_MAGIC,
    /** {@code ih_protect_tlv_size} disagrees with the protected TLV area actually present. */
    PROTECTED_TLV_SIZE_MISMATCH,
    /** A TLV area's total length is smaller than its own 4-byte info header. */
    TLV_AREA_TOO_SMALL,
    /** A TLV area's total length runs past the end of the input. */
    TLV_AREA_OVERRUNS_IMAGE,
    /** A TLV entry's header or value runs past the end of its area. */
    TLV_OVERRUNS_AREA,
    /** A TLV MCUboot gives a fixed size (hash, security counter, dependency...) has another size. */
    TLV_BAD_LENGTH,
    /** A TLV that only counts when signed (security counter, dependency...) is in the unprotected area. */
    TLV_MUST_BE_PROTECTED,
    /** A TLV that may appear once (security counter, a hash) appears twice, so its meaning is ambiguous. */
    DUPLICATE_TLV,
    /** The input is larger than the caller allowed; it was not read to the end. */
    IMAGE_TOO_LARGE
}

package dev.ferry.image;

import static dev.ferry.image.ImageFormatError.BAD_MAGIC;
import static dev.ferry.image.ImageFormatError.BAD_TLV_INFO_MAGIC;
import static dev.ferry.image.ImageFormatError.HEADER_SIZE_OUT_OF_RANGE;
import static dev.ferry.image.ImageFormatError.IMAGE_SIZE_OUT_OF_RANGE;
import static dev.ferry.image.ImageFormatError.MISSING_TLV_AREA;
import static dev.ferry.image.ImageFormatError.PROTECTED_TLV_SIZE_MISMATCH;
import static dev.ferry.image.ImageFormatError.TLV_AREA_OVERRUNS_IMAGE;
import static dev.ferry.image.ImageFormatError.TLV_AREA_TOO_SMALL;
import static dev.ferry.image.ImageFormatError.TLV_OVERRUNS_AREA;
import static dev.ferry.image.ImageFormatError.TRUNCATED_HEADER;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the header and both TLV areas the way MCUboot's {@code bootutil_tlv_iter_begin} and
 * {@code bootutil_tlv_iter_next} do, but stricter: every entry must fit inside its own area,
 * and every problem is reported as an {@link ImageFormatException} rather than a crash.
 */
final class ImageParser {

    /** Old (pre-1.0) header magic, named in the error so users know to re-sign with imgtool. */
    private static final int IMAGE_MAGIC_V1 = 0x96f3b83c;

    private final byte[] bytes;
    private final LittleEndian in;

    private ImageParser(byte[] bytes) {
        this.bytes = bytes;
        this.in = LittleEndian.wrap(bytes);
    }

    static McubootImage parse(byte[] bytes) throws ImageFormatException {
        return new ImageParser(bytes).parse();
    }

    private McubootImage parse() throws ImageFormatException {
        ImageHeader header = readHeader();
        long tlvOffset = header.tlvOffset();
        if (tlvOffset > bytes.length) {
            throw new ImageFormatException(IMAGE_SIZE_OUT_OF_RANGE, String.format(
                    "image size 0x%x after a 0x%x-byte header ends at 0x%x, past the end of the %d-byte input;"
                            + " the file is truncated or the header is corrupt",
                    header.imageSize(), header.headerSize(), tlvOffset, bytes.length));
        }
        int offset = (int) tlvOffset;
        List<Tlv> protectedTlvs = List.of();
        int magic = infoMagicAt(offset, "the image body");
        if (magic == ImageFormat.TLV_PROT_INFO_MAGIC) {
            int total = in.u16At(offset + 2);
            if (total != header.protectedTlvSize()) {
                throw new ImageFormatException(PROTECTED_TLV_SIZE_MISMATCH, String.format(
                        "the protected TLV area at 0x%x is 0x%x bytes but the header says 0x%x;"
                                + " the image was modified after signing", offset, total, header.protectedTlvSize()));
            }
            protectedTlvs = readArea(offset, total, "protected");
            offset += total;
            magic = infoMagicAt(offset, "the protected TLV area");
        } else if (header.protectedTlvSize() != 0) {
            throw new ImageFormatException(PROTECTED_TLV_SIZE_MISMATCH, String.format(
                    "the header announces a 0x%x-byte protected TLV area but none starts at 0x%x",
                    header.protectedTlvSize(), offset));
        }
        if (magic != ImageFormat.TLV_INFO_MAGIC) {
            throw new ImageFormatException(BAD_TLV_INFO_MAGIC, String.format(
                    "expected the TLV area magic 0x%04x at 0x%x but found 0x%04x;"
                            + " the image size in the header is wrong or the image is corrupt",
                    ImageFormat.TLV_INFO_MAGIC, offset, magic));
        }
        int total = in.u16At(offset + 2);
        List<Tlv> unprotectedTlvs = readArea(offset, total, "unprotected");
        McubootImage image = new McubootImage(bytes, header, protectedTlvs, unprotectedTlvs, offset + total);
        TlvRules.check(image);
        return image;
    }

    private ImageHeader readHeader() throws ImageFormatException {
        if (bytes.length < ImageFormat.HEADER_STRUCT_SIZE) {
            throw new ImageFormatException(TRUNCATED_HEADER, String.format(
                    "the input is %d bytes, shorter than the %d-byte MCUboot image header",
                    bytes.length, ImageFormat.HEADER_STRUCT_SIZE));
        }
        long magic = in.u32At(0);
        if (magic != (ImageFormat.IMAGE_MAGIC & 0xffff_ffffL)) {
            String hint = magic == (IMAGE_MAGIC_V1 & 0xffff_ffffL)
                    ? "this is a pre-1.0 MCUboot image; re-sign it with a current imgtool or 'ferry image sign'"
                    : "this is not a signed MCUboot image; sign the raw firmware with 'ferry image sign' first";
            throw new ImageFormatException(BAD_MAGIC, String.format(
                    "bad image magic 0x%08x (expected 0x%08x): %s", magic, ImageFormat.IMAGE_MAGIC, hint));
        }
        int headerSize = in.u16At(8);
        if (headerSize < ImageFormat.HEADER_STRUCT_SIZE || headerSize > bytes.length) {
            throw new ImageFormatException(HEADER_SIZE_OUT_OF_RANGE, String.format(
                    "header size 0x%x is out of range: it must be at least 0x%x and within the %d-byte input",
                    headerSize, ImageFormat.HEADER_STRUCT_SIZE, bytes.length));
        }
        ImageVersion version = new ImageVersion(in.u8At(20), in.u8At(21), in.u16At(22), in.u32At(24));
        return new ImageHeader(in.u32At(4), headerSize, in.u16At(10), in.u32At(12), (int) in.u32At(16), version);
    }

    private int infoMagicAt(int offset, String after) throws ImageFormatException {
        if (bytes.length - offset < ImageFormat.TLV_INFO_SIZE) {
            throw new ImageFormatException(MISSING_TLV_AREA, String.format(
                    "the input ends at 0x%x, right after %s, where a TLV area must start;"
                            + " the file is truncated", bytes.length, after));
        }
        return in.u16At(offset);
    }

    private List<Tlv> readArea(int areaOffset, int total, String which) throws ImageFormatException {
        if (total < ImageFormat.TLV_INFO_SIZE) {
            throw new ImageFormatException(TLV_AREA_TOO_SMALL, String.format(
                    "the %s TLV area at 0x%x claims %d bytes, less than its own 4-byte info header",
                    which, areaOffset, total));
        }
        int end = areaOffset + total;
        if (end > bytes.length) {
            throw new ImageFormatException(TLV_AREA_OVERRUNS_IMAGE, String.format(
                    "the %s TLV area at 0x%x claims 0x%x bytes, running past the end of the %d-byte input;"
                            + " the file is truncated", which, areaOffset, total, bytes.length));
        }
        List<Tlv> tlvs = new ArrayList<>();
        int offset = areaOffset + ImageFormat.TLV_INFO_SIZE;
        while (offset < end) {
            if (end - offset < ImageFormat.TLV_HEADER_SIZE) {
                throw new ImageFormatException(TLV_OVERRUNS_AREA, String.format(
                        "a TLV header at 0x%x runs past the end of the %s TLV area at 0x%x", offset, which, end));
            }
            int type = in.u16At(offset);
            int length = in.u16At(offset + 2);
            int valueOffset = offset + ImageFormat.TLV_HEADER_SIZE;
            if (length > end - valueOffset) {
                throw new ImageFormatException(TLV_OVERRUNS_AREA, String.format(
                        "TLV 0x%04x at 0x%x claims %d bytes, running past the end of the %s TLV area at 0x%x",
                        type, offset, length, which, end));
            }
            byte[] value = new byte[length];
            System.arraycopy(bytes, valueOffset, value, 0, length);
            tlvs.add(new Tlv(type, value, valueOffset));
            offset = valueOffset + length;
        }
        return List.copyOf(tlvs);
    }
}

package dev.ferry.image;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Writes the MCUboot layout: header area, body, protected TLV area, unprotected TLV area.
 * Laid out exactly as imgtool lays it out, so a parsed image written back is byte-identical.
 */
public final class ImageWriter {

    private ImageWriter() {
    }

    /**
     * A TLV area: info header ({@code magic}, total size) followed by each TLV. An empty
     * protected area is omitted entirely, as imgtool does (its {@code TLV.get()} returns nothing).
     */
    public static byte[] tlvArea(int magic, List<Tlv> tlvs) {
        if (tlvs.isEmpty() && magic == ImageFormat.TLV_PROT_INFO_MAGIC) {
            return new byte[0];
        }
        return area(magic, tlvs);
    }

    private static byte[] area(int magic, List<Tlv> tlvs) {
        int total = tlvAreaSize(tlvs);
        if (total > ImageFormat.MAX_TLV_AREA_SIZE) {
            throw new IllegalArgumentException("TLV area of " + total + " bytes does not fit its 16-bit size field");
        }
        LittleEndian out = new LittleEndian(total);
        out.u16(magic).u16(total);
        for (Tlv tlv : tlvs) {
            out.u16(tlv.type()).u16(tlv.length()).bytes(tlv.value());
        }
        return out.bytes();
    }

    /** The size a protected area of {@code tlvs} takes, as {@code ih_protect_tlv_size} records it. */
    public static int protectedAreaSize(List<Tlv> tlvs) {
        return tlvs.isEmpty() ? 0 : tlvAreaSize(tlvs);
    }

    /** Re-encodes a parsed image from its model: header area padding and body are kept as they are. */
    public static byte[] write(McubootImage image) {
        byte[] original = image.bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(image.header().encode());
        out.write(original, ImageFormat.HEADER_STRUCT_SIZE,
                (int) image.header().tlvOffset() - ImageFormat.HEADER_STRUCT_SIZE);
        if (image.header().protectedTlvSize() > 0) {
            // Written even when it holds no TLV, so a parsed image writes back to the same bytes.
            out.writeBytes(area(ImageFormat.TLV_PROT_INFO_MAGIC, image.protectedTlvs()));
        }
        out.writeBytes(tlvArea(ImageFormat.TLV_INFO_MAGIC, image.unprotectedTlvs()));
        out.write(original, image.imageLength(), image.trailingLength());
        return out.toByteArray();
    }

    private static int tlvAreaSize(List<Tlv> tlvs) {
        int total = ImageFormat.TLV_INFO_SIZE;
        for (Tlv tlv : tlvs) {
            total += tlv.encodedSize();
        }
        return total;
    }
}

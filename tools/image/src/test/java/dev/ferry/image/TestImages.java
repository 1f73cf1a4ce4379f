package dev.ferry.image;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** Builds images by hand, including ones imgtool would never write, to test the parser's rules. */
public final class TestImages {

    public static final int HEADER_SIZE = 0x20;

    private TestImages() {
    }

    /** Header, a small body, and the given TLV areas; sizes in the header match the areas. */
    public static byte[] assemble(List<Tlv> protectedTlvs, List<Tlv> unprotectedTlvs) {
        byte[] body = new byte[64];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        ImageHeader header = new ImageHeader(0, HEADER_SIZE, ImageWriter.protectedAreaSize(protectedTlvs),
                body.length, 0, new ImageVersion(1, 0, 0, 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.encode());
        out.writeBytes(body);
        out.writeBytes(ImageWriter.tlvArea(ImageFormat.TLV_PROT_INFO_MAGIC, protectedTlvs));
        out.writeBytes(ImageWriter.tlvArea(ImageFormat.TLV_INFO_MAGIC, unprotectedTlvs));
        return out.toByteArray();
    }

    public static Tlv securityCounter(int value) {
        return Tlv.of(TlvType.SEC_CNT, new LittleEndian(4).u32(value).bytes());
    }

    public static Tlv sha256Of(int length) {
        return Tlv.of(TlvType.SHA256, new byte[length]);
    }

    /** Writes a little-endian u16 into a copy of {@code image}. */
    public static byte[] withU16(byte[] image, int offset, int value) {
        byte[] copy = image.clone();
        copy[offset] = (byte) value;
        copy[offset + 1] = (byte) (value >>> 8);
        return copy;
    }

    public static byte[] withU32(byte[] image, int offset, long value) {
        return withU16(withU16(image, offset, (int) (value & 0xffff)), offset + 2, (int) (value >>> 16));
    }
}

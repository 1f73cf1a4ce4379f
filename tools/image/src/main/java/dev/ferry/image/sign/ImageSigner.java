package dev.ferry.image.sign;

import static dev.ferry.image.sign.SignError.HEADER_NOT_ZEROED;
import static dev.ferry.image.sign.SignError.IMAGE_TOO_LARGE;
import static dev.ferry.image.sign.SignError.IMAGE_TOO_LARGE_FOR_SLOT;
import static dev.ferry.image.sign.SignError.INPUT_SHORTER_THAN_HEADER;

import dev.ferry.image.ImageDependency;
import dev.ferry.image.ImageFlag;
import dev.ferry.image.ImageFormat;
import dev.ferry.image.ImageHash;
import dev.ferry.image.ImageHeader;
import dev.ferry.image.ImageWriter;
import dev.ferry.image.LittleEndian;
import dev.ferry.image.Tlv;
import dev.ferry.image.TlvType;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.keys.SignedData;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns raw firmware into a signed MCUboot image, step for step as {@code imgtool sign} does
 * for unencrypted, uncompressed images: so for Ed25519 the output is byte-identical to
 * imgtool's, and for ECDSA and RSA everything but the signature is.
 */
public final class ImageSigner {

    private final SecureRandom random;

    public ImageSigner(SecureRandom random) {
        this.random = random;
    }

    public ImageSigner() {
        this(new SecureRandom());
    }

    /**
     * @param key the signing key, or null for an unsigned image carrying only its SHA-256
     */
    public byte[] sign(byte[] firmware, SignOptions options, ImageSigningKey key) throws SignException {
        byte[] payload = withHeaderArea(firmware, options);
        long imageSize = (long) payload.length - options.headerSize();
        if (imageSize > 0xffff_ffffL - options.headerSize()) {
            throw new SignException(IMAGE_TOO_LARGE, "the firmware is too large for an MCUboot image");
        }

        List<Tlv> protectedTlvs = protectedTlvs(options);
        ImageHeader header = new ImageHeader(options.loadAddress() != 0 ? options.loadAddress() : options.romFixedAddress(),
                options.headerSize(), ImageWriter.protectedAreaSize(protectedTlvs), imageSize, flags(options),
                options.version());
        System.arraycopy(header.encode(), 0, payload, 0, ImageFormat.HEADER_STRUCT_SIZE);

        ByteArrayOutputStream hashed = new ByteArrayOutputStream(payload.length + 64);
        hashed.writeBytes(payload);
        hashed.writeBytes(ImageWriter.tlvArea(ImageFormat.TLV_PROT_INFO_MAGIC, protectedTlvs));
        byte[] hashedRegion = hashed.toByteArray();
        byte[] digest = ImageHash.SHA256.compute(hashedRegion);

        List<Tlv> unprotected = new ArrayList<>();
        unprotected.add(Tlv.of(TlvType.SHA256, digest));
        if (key != null) {
            if (options.publicKeyFormat() == PublicKeyFormat.HASH) {
                unprotected.add(Tlv.of(TlvType.KEYHASH, key.publicKey().keyHash()));
            } else {
                unprotected.add(Tlv.of(TlvType.PUBKEY, key.publicKey().mcubootEncoding()));
            }
            byte[] signature = key.sign(new SignedData(hashedRegion, digest, false), random);
            unprotected.add(Tlv.of(key.type().signatureTlv(), signature));
        }

        ByteArrayOutputStream image = new ByteArrayOutputStream(hashedRegion.length + 512);
        image.writeBytes(hashedRegion);
        image.writeBytes(ImageWriter.tlvArea(ImageFormat.TLV_INFO_MAGIC, unprotected));
        return fitToSlot(image.toByteArray(), options);
    }

    private static byte[] withHeaderArea(byte[] firmware, SignOptions options) throws SignException {
        int headerSize = options.headerSize();
        if (options.padHeader()) {
            // imgtool fills the new header area with the erased value, then writes the 32-byte header over it.
            byte[] payload = new byte[headerSize + firmware.length];
            Arrays.fill(payload, 0, headerSize, (byte) options.erasedValue());
            System.arraycopy(firmware, 0, payload, headerSize, firmware.length);
            return payload;
        }
        if (firmware.length < headerSize) {
            throw new SignException(INPUT_SHORTER_THAN_HEADER, String.format(
                    "the firmware is %d bytes, shorter than the 0x%x-byte header area it should start with;"
                            + " add --pad-header to prepend one", firmware.length, headerSize));
        }
        for (int i = 0; i < headerSize; i++) {
            if (firmware[i] != 0) {
                throw new SignException(HEADER_NOT_ZEROED, String.format(
                        "the firmware does not start with a zeroed 0x%x-byte header area (byte 0x%x is 0x%02x);"
                                + " add --pad-header, or link the firmware with a header gap of that size",
                        headerSize, i, firmware[i] & 0xff));
            }
        }
        return firmware.clone();
    }

    /** Same order as imgtool: security counter first, then dependencies. */
    private static List<Tlv> protectedTlvs(SignOptions options) {
        List<Tlv> tlvs = new ArrayList<>();
        options.securityCounter().ifPresent(counter ->
                tlvs.add(Tlv.of(TlvType.SEC_CNT, new LittleEndian(4).u32(counter).bytes())));
        for (ImageDependency dependency : options.dependencies()) {
            tlvs.add(Tlv.of(TlvType.DEPENDENCY, dependency.encode()));
        }
        return tlvs;
    }

    private static int flags(SignOptions options) {
        int flags = 0;
        if (options.loadAddress() != 0) {
            flags |= ImageFlag.RAM_LOAD.bit();
        }
        if (options.romFixedAddress() != 0) {
            flags |= ImageFlag.ROM_FIXED.bit();
        }
        if (options.nonBootable()) {
            flags |= ImageFlag.NON_BOOTABLE.bit();
        }
        return flags;
    }

    private static byte[] fitToSlot(byte[] image, SignOptions options) throws SignException {
        if (options.slotSize() == 0) {
            return image;
        }
        SlotTrailer trailer = new SlotTrailer(options);
        long needed = (long) image.length + trailer.size();
        if (needed > options.slotSize()) {
            throw new SignException(IMAGE_TOO_LARGE_FOR_SLOT, String.format(
                    "image size (0x%x) + trailer (0x%x) exceeds the slot size 0x%x;"
                            + " shrink the firmware or give the real (larger) slot size",
                    image.length, trailer.size(), options.slotSize()));
        }
        if (!options.pad()) {
            return image;
        }
        byte[] padded = Arrays.copyOf(image, options.slotSize());
        byte[] padding = trailer.padding(image.length);
        System.arraycopy(padding, 0, padded, image.length, padding.length);
        return padded;
    }
}

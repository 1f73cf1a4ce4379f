package dev.ferry.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A parsed MCUboot image: header, body, protected and unprotected TLVs, and any bytes after
 * the TLVs (slot padding and trailer). Immutable; parsing never verifies hashes or signatures,
 * see {@code dev.ferry.image.verify.ImageVerifier} for that.
 */
public final class McubootImage {

    /** The default cap for {@link #parse(InputStream)}: larger than any MCU flash slot we know. */
    public static final int DEFAULT_MAX_IMAGE_SIZE = 64 * 1024 * 1024;

    private final byte[] bytes;
    private final ImageHeader header;
    private final List<Tlv> protectedTlvs;
    private final List<Tlv> unprotectedTlvs;
    private final int tlvEnd;

    McubootImage(byte[] bytes, ImageHeader header, List<Tlv> protectedTlvs, List<Tlv> unprotectedTlvs, int tlvEnd) {
        this.bytes = bytes;
        this.header = header;
        this.protectedTlvs = protectedTlvs;
        this.unprotectedTlvs = unprotectedTlvs;
        this.tlvEnd = tlvEnd;
    }

    /** Parses a whole image held in memory; the array is copied. */
    public static McubootImage parse(byte[] bytes) throws ImageFormatException {
        return ImageParser.parse(bytes.clone());
    }

    public static McubootImage parse(Path file) throws IOException, ImageFormatException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, DEFAULT_MAX_IMAGE_SIZE);
        }
    }

    public static McubootImage parse(InputStream in) throws IOException, ImageFormatException {
        return parse(in, DEFAULT_MAX_IMAGE_SIZE);
    }

    /** Reads at most {@code maxBytes} from {@code in}; a longer stream is rejected unread. */
    public static McubootImage parse(InputStream in, int maxBytes) throws IOException, ImageFormatException {
        byte[] bytes = in.readNBytes(maxBytes);
        if (in.read() != -1) {
            throw new ImageFormatException(ImageFormatError.IMAGE_TOO_LARGE, String.format(
                    "the image is larger than the allowed %d bytes", maxBytes));
        }
        return ImageParser.parse(bytes);
    }

    public ImageHeader header() {
        return header;
    }

    public ImageVersion version() {
        return header.version();
    }

    public Set<ImageFlag> flags() {
        return header.flagSet();
    }

    public boolean isEncrypted() {
        return header.has(ImageFlag.ENCRYPTED_AES128) || header.has(ImageFlag.ENCRYPTED_AES256);
    }

    /** The security counter from the protected SEC_CNT TLV, which MCUboot compares for rollback protection. */
    public OptionalLong securityCounter() {
        return find(protectedTlvs, TlvType.SEC_CNT)
                .map(tlv -> OptionalLong.of(LittleEndian.wrap(tlv.value()).u32At(0)))
                .orElse(OptionalLong.empty());
    }

    /** The image hash TLV (SHA256, SHA384 or SHA512), if present. */
    public Optional<Tlv> hashTlv() {
        return allTlvs().filter(t -> t.knownType().map(TlvType::isHash).orElse(false)).findFirst();
    }

    /** The hash the image claims for itself; compare with {@link #hashedRegion()} to check it. */
    public Optional<byte[]> hash() {
        return hashTlv().map(Tlv::value);
    }

    /** The first KEYHASH TLV: the hash of the key that signed the image, as MCUboot looks it up. */
    public Optional<byte[]> keyHash() {
        return find(unprotectedTlvs, TlvType.KEYHASH).map(Tlv::value);
    }

    /** The first PUBKEY TLV: the full public key, used instead of KEYHASH by {@code --public-key-format full}. */
    public Optional<byte[]> publicKey() {
        return find(unprotectedTlvs, TlvType.PUBKEY).map(Tlv::value);
    }

    public List<Tlv> signatures() {
        return allTlvs().filter(t -> t.knownType().map(TlvType::isSignature).orElse(false)).toList();
    }

    /** True when a SIG_PURE TLV says the signature covers the image itself instead of its hash. */
    public boolean isPureSignature() {
        return allTlvs().anyMatch(t -> t.is(TlvType.SIG_PURE));
    }

    public List<ImageDependency> dependencies() {
        return protectedTlvs.stream().filter(t -> t.is(TlvType.DEPENDENCY))
                .map(t -> ImageDependency.decode(t.value())).toList();
    }

    public List<Tlv> protectedTlvs() {
        return protectedTlvs;
    }

    public List<Tlv> unprotectedTlvs() {
        return unprotectedTlvs;
    }

    /** Every TLV, protected first, in image order. */
    public List<Tlv> tlvs() {
        List<Tlv> all = new ArrayList<>(protectedTlvs);
        all.addAll(unprotectedTlvs);
        return List.copyOf(all);
    }

    /** TLVs whose type MCUboot does not define (vendor TLVs, newer MCUboot); kept, never rejected. */
    public List<Tlv> unknownTlvs() {
        return allTlvs().filter(t -> t.knownType().isEmpty()).toList();
    }

    public byte[] body() {
        return Arrays.copyOfRange(bytes, header.headerSize(), (int) header.tlvOffset());
    }

    /**
     * Exactly what MCUboot hashes and signs: header area (with its padding), body and the whole
     * protected TLV area ({@code ih_hdr_size + ih_img_size + ih_protect_tlv_size} bytes).
     */
    public byte[] hashedRegion() {
        return Arrays.copyOf(bytes, hashedLength());
    }

    public int hashedLength() {
        return (int) header.tlvOffset() + header.protectedTlvSize();
    }

    /** Size of the image proper: header, body and both TLV areas. */
    public int imageLength() {
        return tlvEnd;
    }

    /** Bytes after the TLV areas, such as slot padding and the boot trailer written by {@code --pad}. */
    public int trailingLength() {
        return bytes.length - tlvEnd;
    }

    /** True when the input ends with MCUboot's boot trailer magic, as written by {@code --pad}. */
    public boolean hasTrailerMagic() {
        return SlotTrailerMagic.endsWithMagic(bytes, tlvEnd);
    }

    /** The bytes this image was parsed from, padding included. */
    public byte[] bytes() {
        return bytes.clone();
    }

    private Stream<Tlv> allTlvs() {
        return Stream.concat(protectedTlvs.stream(), unprotectedTlvs.stream());
    }

    private static Optional<Tlv> find(List<Tlv> tlvs, TlvType type) {
        return tlvs.stream().filter(t -> t.is(type)).findFirst();
    }
}

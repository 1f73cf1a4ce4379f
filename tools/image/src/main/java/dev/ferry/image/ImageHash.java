package dev.ferry.image;

import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/** The hash algorithms an image hash TLV may use, each tied to its TLV type and length. */
public enum ImageHash {
    SHA256(TlvType.SHA256, 32),
    SHA384(TlvType.SHA384, 48),
    SHA512(TlvType.SHA512, 64);

    private final TlvType tlvType;
    private final int length;

    ImageHash(TlvType tlvType, int length) {
        this.tlvType = tlvType;
        this.length = length;
    }

    public TlvType tlvType() {
        return tlvType;
    }

    public int length() {
        return length;
    }

    public static Optional<ImageHash> forTlv(TlvType type) {
        return Arrays.stream(values()).filter(h -> h.tlvType == type).findFirst();
    }

    /** imgtool hashes the key with the image's hash algorithm, so the KEYHASH length names it. */
    public static Optional<ImageHash> forLength(int length) {
        return Arrays.stream(values()).filter(h -> h.length == length).findFirst();
    }

    public byte[] compute(byte[] data) {
        return compute(data, 0, data.length);
    }

    public byte[] compute(byte[] data, int offset, int length) {
        Digest digest = switch (this) {
            case SHA256 -> new SHA256Digest();
            case SHA384 -> new SHA384Digest();
            case SHA512 -> new SHA512Digest();
        };
        digest.update(data, offset, length);
        byte[] out = new byte[digest.getDigestSize()];
        digest.doFinal(out, 0);
        return out;
    }
}

package dev.ferry.image.verify;

import dev.ferry.image.ImageHash;
import dev.ferry.image.keys.ImagePublicKey;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The public keys whose signatures we accept, looked up by key hash the way MCUboot's
 * {@code bootutil_find_key} looks up its built-in keys.
 */
public final class TrustedKeys {

    private final List<ImagePublicKey> keys;

    private TrustedKeys(List<ImagePublicKey> keys) {
        this.keys = keys;
    }

    public static TrustedKeys of(ImagePublicKey... keys) {
        return new TrustedKeys(List.of(keys));
    }

    public static TrustedKeys of(Collection<ImagePublicKey> keys) {
        return new TrustedKeys(List.copyOf(keys));
    }

    public static TrustedKeys none() {
        return new TrustedKeys(List.of());
    }

    public List<ImagePublicKey> keys() {
        return keys;
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /**
     * The trusted key whose hash equals {@code keyHash} exactly. The hash algorithm follows
     * from the length, as imgtool hashes the key with the image's hash algorithm.
     */
    public Optional<ImagePublicKey> findByKeyHash(byte[] keyHash) {
        Optional<ImageHash> algorithm = ImageHash.forLength(keyHash.length);
        if (algorithm.isEmpty()) {
            return Optional.empty();
        }
        return keys.stream()
                .filter(key -> MessageDigest.isEqual(key.keyHash(algorithm.get()), keyHash))
                .findFirst();
    }

    /** The trusted key embedded in full (a PUBKEY TLV), compared by its MCUboot encoding. */
    public Optional<ImagePublicKey> findByEncoding(byte[] mcubootEncoding) {
        return keys.stream()
                .filter(key -> MessageDigest.isEqual(key.mcubootEncoding(), mcubootEncoding))
                .findFirst();
    }
}

package dev.ferry.image.verify;

import static dev.ferry.image.verify.VerificationFailure.BAD_SIGNATURE;
import static dev.ferry.image.verify.VerificationFailure.ENCRYPTED_IMAGE;
import static dev.ferry.image.verify.VerificationFailure.HASH_MISMATCH;
import static dev.ferry.image.verify.VerificationFailure.KEY_TYPE_MISMATCH;
import static dev.ferry.image.verify.VerificationFailure.MISSING_HASH;
import static dev.ferry.image.verify.VerificationFailure.MISSING_SIGNATURE;
import static dev.ferry.image.verify.VerificationFailure.UNKNOWN_KEY;

import dev.ferry.image.ImageHash;
import dev.ferry.image.McubootImage;
import dev.ferry.image.Tlv;
import dev.ferry.image.TlvType;
import dev.ferry.image.keys.ImagePublicKey;
import dev.ferry.image.keys.SignedData;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks an image the way MCUboot's {@code bootutil_img_validate} does: the hash TLV must match
 * what it covers, and some signature must verify under a trusted key named by the KEYHASH (or
 * PUBKEY) TLV right before it. Never throws on a malformed image; failures are results.
 */
public final class ImageVerifier {

    private final TrustedKeys trustedKeys;

    public ImageVerifier(TrustedKeys trustedKeys) {
        this.trustedKeys = trustedKeys;
    }

    /** Checks hash and signature of {@code image} against {@code trustedKeys}. */
    public static VerificationResult verify(McubootImage image, TrustedKeys trustedKeys) {
        return new ImageVerifier(trustedKeys).verify(image);
    }

    /** Checks the hash only: integrity, not authenticity. For unsigned development images. */
    public static VerificationResult checkHash(McubootImage image) {
        return new ImageVerifier(TrustedKeys.none()).hashOnly(image);
    }

    /** Checks hash and signature against the trusted keys. */
    public VerificationResult verify(McubootImage image) {
        VerificationResult hash = hashOnly(image);
        if (!hash.isOk()) {
            return hash;
        }
        byte[] region = image.hashedRegion();
        SignedData signed = new SignedData(region, image.hash().orElseThrow(), image.isPureSignature());
        return signatures(image, signed);
    }

    private VerificationResult hashOnly(McubootImage image) {
        if (image.isEncrypted()) {
            return VerificationResult.failed(ENCRYPTED_IMAGE,
                    "the image body is encrypted and its hash covers the plaintext; upload the image unencrypted");
        }
        Optional<Tlv> hashTlv = image.hashTlv();
        if (hashTlv.isEmpty()) {
            return VerificationResult.failed(MISSING_HASH,
                    "the image has no SHA256/SHA384/SHA512 TLV; MCUboot will refuse it; re-sign it");
        }
        ImageHash algorithm = ImageHash.forTlv(hashTlv.get().knownType().orElseThrow()).orElseThrow();
        byte[] region = image.hashedRegion();
        byte[] actual = algorithm.compute(region);
        if (!MessageDigest.isEqual(actual, hashTlv.get().value())) {
            return VerificationResult.failed(HASH_MISMATCH, String.format(
                    "the image %s is %s but its %d hashed bytes hash to %s; the image was altered or damaged",
                    algorithm, hex(hashTlv.get().value()), region.length, hex(actual)));
        }
        return VerificationResult.ok(null, algorithm + " " + hex(actual) + " matches");
    }

    private VerificationResult signatures(McubootImage image, SignedData signed) {
        ImagePublicKey announced = null;
        boolean sawSignature = false;
        String badSignature = null;
        String typeMismatch = null;
        for (Tlv tlv : image.tlvs()) {
            TlvType type = tlv.knownType().orElse(null);
            if (type == TlvType.KEYHASH) {
                announced = trustedKeys.findByKeyHash(tlv.value()).orElse(null);
            } else if (type == TlvType.PUBKEY) {
                announced = trustedKeys.findByEncoding(tlv.value()).orElse(null);
            } else if (type != null && type.isSignature()) {
                sawSignature = true;
                ImagePublicKey key = announced;
                announced = null; // like MCUboot, a key hash names only the signature right after it
                if (key == null) {
                    continue;
                }
                if (key.type().signatureTlv() != type) {
                    typeMismatch = "the image names trusted " + key + " but carries a " + type + " signature";
                } else if (key.verify(signed, tlv.value())) {
                    return VerificationResult.ok(key, "signature by trusted " + key + " verifies");
                } else {
                    badSignature = "the " + type + " signature does not verify under trusted " + key
                            + "; the image was altered after signing or the signature is damaged";
                }
            }
        }
        if (badSignature != null) {
            return VerificationResult.failed(BAD_SIGNATURE, badSignature);
        }
        if (typeMismatch != null) {
            return VerificationResult.failed(KEY_TYPE_MISMATCH, typeMismatch);
        }
        if (sawSignature) {
            String keyHash = image.keyHash().map(ImageVerifier::hex).orElse("none");
            return VerificationResult.failed(UNKNOWN_KEY, "the image is signed by a key that is not trusted (key hash "
                    + keyHash + "); add its public key to the trusted keys or re-sign with a trusted key");
        }
        return VerificationResult.failed(MISSING_SIGNATURE,
                "the image carries no signature; sign it with 'ferry image sign --key ...'");
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}

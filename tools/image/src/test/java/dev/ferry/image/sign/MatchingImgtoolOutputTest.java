package dev.ferry.image.sign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.image.ImageDependency;
import dev.ferry.image.ImageVersion;
import dev.ferry.image.McubootImage;
import dev.ferry.image.Tlv;
import dev.ferry.image.Vectors;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.verify.ImageVerifier;
import dev.ferry.image.verify.TrustedKeys;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Signs the same inputs with the same options as the imgtool command lines in the vectors'
 * README, and compares. Ed25519 is deterministic, so the whole file must match.
 */
class MatchingImgtoolOutputTest {

    private static final byte[] RAW = Vectors.bytes("app-raw.bin");
    private final ImageSigner signer = new ImageSigner();

    @Test
    void ed25519_with_padded_header_is_byte_identical() throws Exception {
        SignOptions options = options("1.2.3+4").padHeader(true).build();

        assertThat(signer.sign(RAW, options, key("ed25519"))).isEqualTo(Vectors.bytes("ed25519-pad-header.bin"));
    }

    @Test
    void ed25519_with_security_counter_and_confirm_is_byte_identical() throws Exception {
        SignOptions options = options("2.0.1+77").securityCounter(7).confirm(true).build();

        byte[] signed = signer.sign(Vectors.bytes("app-hdr.bin"), options, key("ed25519"));

        assertThat(signed).isEqualTo(Vectors.bytes("ed25519-seccnt-confirm.bin"));
    }

    @Test
    void ed25519_with_full_public_key_auto_counter_and_alignment_is_byte_identical() throws Exception {
        SignOptions options = options("3.4.5").padHeader(true).securityCounterFromVersion()
                .publicKeyFormat(PublicKeyFormat.FULL).pad(true).align(4).build();

        assertThat(signer.sign(RAW, options, key("ed25519")))
                .isEqualTo(Vectors.bytes("ed25519-pubkey-auto-counter-pad-align4.bin"));
    }

    @Test
    void ed25519_with_dependency_and_load_address_is_byte_identical() throws Exception {
        SignOptions options = options("1.0.0").padHeader(true).loadAddress(0x2000_0000L)
                .dependency(new ImageDependency(1, ImageVersion.parse("2.3.4+5"))).build();

        assertThat(signer.sign(RAW, options, key("ed25519"))).isEqualTo(Vectors.bytes("ed25519-dependency-ramload.bin"));
    }

    @Test
    void an_unsigned_image_is_byte_identical() throws Exception {
        SignOptions options = options("0.9.1+3").padHeader(true).build();

        assertThat(signer.sign(RAW, options, null)).isEqualTo(Vectors.bytes("unsigned-hash-only.bin"));
    }

    @Test
    void ecdsa_p256_matches_in_every_byte_but_the_signature_which_verifies() throws Exception {
        SignOptions options = options("1.2.3+4").padHeader(true).securityCounter(3).build();

        assertMatchesButSignature(signer.sign(RAW, options, key("ecdsa-p256")), "ecdsa-p256-seccnt.bin", "ecdsa-p256");
    }

    @Test
    void rsa_2048_matches_in_every_byte_but_the_signature_which_verifies() throws Exception {
        SignOptions options = options("1.2.3+4").padHeader(true).build();

        assertMatchesButSignature(signer.sign(RAW, options, key("rsa-2048")), "rsa-2048.bin", "rsa-2048");
    }

    @Test
    void rsa_3072_matches_in_every_byte_but_the_signature_which_verifies() throws Exception {
        SignOptions options = options("1.2.3+4").padHeader(true).build();

        assertMatchesButSignature(signer.sign(RAW, options, key("rsa-3072")), "rsa-3072.bin", "rsa-3072");
    }

    /**
     * Every byte before the signature value must be equal, except two length fields: the
     * unprotected area's total and the signature TLV's length, as an ECDSA DER signature is
     * 70 to 72 bytes long. Those must then agree with the signatures' own lengths.
     */
    private static void assertMatchesButSignature(byte[] ours, String vector, String keyType) throws Exception {
        byte[] reference = Vectors.bytes(vector);
        McubootImage mine = McubootImage.parse(ours);
        McubootImage theirs = Vectors.image(vector);
        Tlv ourSignature = mine.signatures().get(0);
        Tlv theirSignature = theirs.signatures().get(0);
        assertThat(ourSignature.type()).isEqualTo(theirSignature.type());
        assertThat(ourSignature.offset()).isEqualTo(theirSignature.offset());

        int areaTotal = mine.hashedLength() + 2;
        int signatureLength = ourSignature.offset() - 2;
        byte[] mineBefore = withZeroedLengths(Arrays.copyOf(ours, ourSignature.offset()), areaTotal, signatureLength);
        byte[] theirsBefore = withZeroedLengths(Arrays.copyOf(reference, theirSignature.offset()), areaTotal, signatureLength);
        assertThat(mineBefore).isEqualTo(theirsBefore);
        assertThat(ours.length - reference.length).isEqualTo(ourSignature.length() - theirSignature.length());
        assertThat(ourSignature.offset() + ourSignature.length()).isEqualTo(ours.length);

        TrustedKeys trusted = TrustedKeys.of(Vectors.publicKey(keyType));
        assertThat(new ImageVerifier(trusted).verify(mine).isOk()).isTrue();
        assertThat(new ImageVerifier(trusted).verify(theirs).isOk()).isTrue();
    }

    private static byte[] withZeroedLengths(byte[] bytes, int... u16Offsets) {
        for (int offset : u16Offsets) {
            bytes[offset] = 0;
            bytes[offset + 1] = 0;
        }
        return bytes;
    }

    private static SignOptions.Builder options(String version) {
        return SignOptions.builder(ImageVersion.parse(version), 0x200).slotSize(0x2000);
    }

    private static ImageSigningKey key(String type) {
        return Vectors.signingKey(type);
    }
}

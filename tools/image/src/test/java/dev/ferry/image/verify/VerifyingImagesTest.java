package dev.ferry.image.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.image.ImageFlag;
import dev.ferry.image.ImageVersion;
import dev.ferry.image.McubootImage;
import dev.ferry.image.TestImages;
import dev.ferry.image.Tlv;
import dev.ferry.image.TlvType;
import dev.ferry.image.Vectors;
import dev.ferry.image.keys.ImagePublicKey;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.keys.KeyType;
import dev.ferry.image.sign.ImageSigner;
import dev.ferry.image.sign.SignOptions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VerifyingImagesTest {

    @ParameterizedTest
    @CsvSource({
        "ed25519-pad-header.bin, ed25519",
        "ed25519-seccnt-confirm.bin, ed25519",
        "ed25519-pubkey-auto-counter-pad-align4.bin, ed25519",
        "ed25519-boot-record-custom-tlv.bin, ed25519",
        "ed25519-pure.bin, ed25519",
        "ed25519-sha512.bin, ed25519",
        "ecdsa-p256-seccnt.bin, ecdsa-p256",
        "ecdsa-p256-pad-sig.bin, ecdsa-p256",
        "rsa-2048.bin, rsa-2048",
        "rsa-3072.bin, rsa-3072",
    })
    void accepts_imgtool_images_signed_by_a_trusted_key(String vector, String keyType) {
        ImagePublicKey key = Vectors.publicKey(keyType);

        VerificationResult result = new ImageVerifier(TrustedKeys.of(key)).verify(Vectors.image(vector));

        assertThat(result.isOk()).as(result.toString()).isTrue();
        assertThat(result.signer()).hasValue(key);
    }

    @Test
    void a_sha512_image_names_its_key_by_a_sha512_key_hash() {
        McubootImage image = Vectors.image("ed25519-sha512.bin");

        assertThat(image.hashTlv().map(Tlv::typeName)).hasValue("SHA512");
        assertThat(image.keyHash()).hasValue(Vectors.publicKey("ed25519").keyHash(dev.ferry.image.ImageHash.SHA512));
    }

    @Test
    void the_static_shortcut_gives_the_same_result() {
        TrustedKeys trusted = TrustedKeys.of(Vectors.publicKey("rsa-3072"));

        VerificationResult result = ImageVerifier.verify(Vectors.image("rsa-3072.bin"), trusted);

        assertThat(result.isOk()).isTrue();
        assertThat(result.signer()).hasValue(Vectors.publicKey("rsa-3072"));
    }

    @Test
    void picks_the_signing_key_out_of_several_trusted_ones_by_its_key_hash() {
        TrustedKeys trusted = TrustedKeys.of(Vectors.publicKey("rsa-2048"), Vectors.publicKey("ecdsa-p256"),
                Vectors.publicKey("ed25519"));

        VerificationResult result = new ImageVerifier(trusted).verify(Vectors.image("ecdsa-p256-seccnt.bin"));

        assertThat(result.signer()).hasValue(Vectors.publicKey("ecdsa-p256"));
    }

    @Test
    void an_image_signed_by_an_untrusted_key_names_the_unknown_key_hash() {
        TrustedKeys trusted = TrustedKeys.of(Vectors.publicKey("rsa-2048"), Vectors.publicKey("ecdsa-p256"));

        VerificationResult result = new ImageVerifier(trusted).verify(Vectors.image("ed25519-pad-header.bin"));

        assertThat(result.failure()).hasValue(VerificationFailure.UNKNOWN_KEY);
        assertThat(result.message()).contains(java.util.HexFormat.of().formatHex(Vectors.bytes("keyhash-ed25519.bin")));
    }

    @Test
    void no_trusted_keys_means_no_image_is_trusted() {
        VerificationResult result = new ImageVerifier(TrustedKeys.none()).verify(Vectors.image("rsa-2048.bin"));

        assertThat(result.failure()).hasValue(VerificationFailure.UNKNOWN_KEY);
    }

    @Test
    void an_unsigned_image_passes_the_hash_check_but_misses_a_signature() {
        McubootImage unsigned = Vectors.image("unsigned-hash-only.bin");

        assertThat(ImageVerifier.checkHash(unsigned).isOk()).isTrue();
        assertThat(new ImageVerifier(TrustedKeys.of(Vectors.publicKey("ed25519"))).verify(unsigned).failure())
                .hasValue(VerificationFailure.MISSING_SIGNATURE);
    }

    @Test
    void a_changed_body_byte_is_a_hash_mismatch() throws Exception {
        byte[] bytes = Vectors.bytes("ed25519-pad-header.bin");
        bytes[0x300] ^= 1;

        VerificationResult result = verifyWith("ed25519", bytes);

        assertThat(result.failure()).hasValue(VerificationFailure.HASH_MISMATCH);
        assertThat(result.message()).contains("altered");
    }

    @Test
    void a_changed_security_counter_is_a_hash_mismatch_because_the_protected_area_is_hashed() throws Exception {
        byte[] bytes = Vectors.bytes("ed25519-seccnt-confirm.bin");
        bytes[0x200 + 3000 + 8] = 0; // the SEC_CNT value 7 becomes 0: a downgrade attempt

        assertThat(verifyWith("ed25519", bytes).failure()).hasValue(VerificationFailure.HASH_MISMATCH);
    }

    @Test
    void a_changed_signature_byte_is_a_bad_signature() throws Exception {
        for (String keyType : new String[] {"ed25519", "rsa-2048"}) {
            String vector = keyType.equals("ed25519") ? "ed25519-pad-header.bin" : "rsa-2048.bin";
            byte[] bytes = Vectors.bytes(vector);
            Tlv signature = McubootImage.parse(bytes).signatures().get(0);
            bytes[signature.offset() + 10] ^= 0x40;

            assertThat(verifyWith(keyType, bytes).failure()).as(vector).hasValue(VerificationFailure.BAD_SIGNATURE);
        }
    }

    @Test
    void a_signature_of_another_type_than_the_announced_key_is_a_key_type_mismatch() throws Exception {
        byte[] bytes = Vectors.bytes("ed25519-pad-header.bin");
        Tlv signature = McubootImage.parse(bytes).signatures().get(0);
        bytes[signature.offset() - 4] = (byte) TlvType.ECDSA_SIG.code();

        assertThat(verifyWith("ed25519", bytes).failure()).hasValue(VerificationFailure.KEY_TYPE_MISMATCH);
    }

    @Test
    void an_image_without_a_hash_tlv_is_missing_its_hash() throws Exception {
        McubootImage image = McubootImage.parse(TestImages.assemble(List.of(), List.of(Tlv.of(TlvType.KEYHASH, new byte[32]))));

        assertThat(ImageVerifier.checkHash(image).failure()).hasValue(VerificationFailure.MISSING_HASH);
    }

    @Test
    void an_encrypted_image_cannot_be_verified_without_its_key() throws Exception {
        byte[] bytes = TestImages.withU32(Vectors.bytes("ed25519-pad-header.bin"), 16, ImageFlag.ENCRYPTED_AES128.bit());

        assertThat(verifyWith("ed25519", bytes).failure()).hasValue(VerificationFailure.ENCRYPTED_IMAGE);
    }

    @Test
    void failures_can_be_thrown_as_a_checked_exception() {
        VerificationResult result = new ImageVerifier(TrustedKeys.none()).verify(Vectors.image("rsa-2048.bin"));

        ImageVerificationException e = catchThrowableOfType(ImageVerificationException.class, result::orThrow);

        assertThat(e.reason()).isEqualTo(VerificationFailure.UNKNOWN_KEY);
    }

    @Test
    void every_key_type_round_trips_through_sign_parse_and_verify() throws Exception {
        SecureRandom random = new SecureRandom();
        for (KeyType type : KeyType.values()) {
            ImageSigningKey key = ImageSigningKey.generate(type, random);
            SignOptions options = SignOptions.builder(ImageVersion.parse("4.5.6+7"), 0x100)
                    .padHeader(true).securityCounter(42).slotSize(0x4000).pad(true).build();

            McubootImage image = McubootImage.parse(new ImageSigner(random).sign(Vectors.bytes("app-raw.bin"), options, key));
            VerificationResult result = new ImageVerifier(TrustedKeys.of(key.publicKey())).verify(image);

            assertThat(result.isOk()).as(type + ": " + result).isTrue();
            assertThat(image.version()).hasToString("4.5.6+7");
            assertThat(image.securityCounter()).hasValue(42);
            assertThat(image.signatures()).extracting(Tlv::type).containsExactly(type.signatureTlv().code());
        }
    }

    private static VerificationResult verifyWith(String keyType, byte[] bytes) throws Exception {
        return new ImageVerifier(TrustedKeys.of(Vectors.publicKey(keyType))).verify(McubootImage.parse(bytes));
    }
}

package dev.ferry.image.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.image.Vectors;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyPemTest {

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ecdsa-p256", "rsa-2048", "rsa-3072"})
    void writes_an_imgtool_private_key_back_byte_for_byte(String type) throws Exception {
        String imgtoolPem = Vectors.text("test-" + type + ".pem");

        ImageSigningKey key = KeyPem.readSigningKey(imgtoolPem);

        assertThat(key.type().cliName()).isEqualTo(type);
        assertThat(KeyPem.privateKeyPem(key)).isEqualTo(imgtoolPem);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ecdsa-p256", "rsa-2048", "rsa-3072"})
    void public_pem_equals_imgtool_getpub_pem(String type) {
        ImagePublicKey key = Vectors.publicKey(type);

        assertThat(KeyPem.publicKeyPem(key)).isEqualTo(Vectors.text("getpub-" + type + ".pem"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519", "ecdsa-p256", "rsa-2048", "rsa-3072"})
    void key_hash_equals_imgtool_getpubhash(String type) {
        assertThat(Vectors.publicKey(type).keyHash()).isEqualTo(Vectors.bytes("keyhash-" + type + ".bin"));
    }

    @Test
    void rsa_key_hash_covers_the_pkcs1_key_not_the_subject_public_key_info() {
        ImagePublicKey rsa = Vectors.publicKey("rsa-2048");

        assertThat(rsa.mcubootEncoding()).isNotEqualTo(rsa.subjectPublicKeyInfo());
        assertThat(Vectors.publicKey("ed25519").mcubootEncoding()).isEqualTo(Vectors.publicKey("ed25519").subjectPublicKeyInfo());
    }

    @Test
    void a_public_key_file_reads_as_the_same_public_key() throws Exception {
        ImagePublicKey fromPublic = KeyPem.readPublicKey(Vectors.text("getpub-ecdsa-p256.pem"));

        assertThat(fromPublic).isEqualTo(Vectors.publicKey("ecdsa-p256"));
    }

    @Test
    void generated_keys_read_back_as_the_same_key() throws Exception {
        SecureRandom random = new SecureRandom();
        for (KeyType type : new KeyType[] {KeyType.ED25519, KeyType.ECDSA_P256, KeyType.RSA_2048}) {
            ImageSigningKey key = ImageSigningKey.generate(type, random);

            ImageSigningKey reread = KeyPem.readSigningKey(KeyPem.privateKeyPem(key));

            assertThat(reread.type()).isEqualTo(type);
            assertThat(reread.publicKey()).isEqualTo(key.publicKey());
        }
    }

    @Test
    void signing_with_a_public_key_file_is_refused_with_advice() {
        KeyFormatException e = catchThrowableOfType(KeyFormatException.class,
                () -> KeyPem.readSigningKey(Vectors.text("getpub-ed25519.pem")));

        assertThat(e.reason()).isEqualTo(KeyFormatError.PUBLIC_KEY_ONLY);
        assertThat(e.getMessage()).contains("private key");
    }

    @Test
    void text_without_a_pem_block_is_not_a_key() {
        KeyFormatException e = catchThrowableOfType(KeyFormatException.class,
                () -> KeyPem.readSigningKey("hello"));

        assertThat(e.reason()).isEqualTo(KeyFormatError.NOT_PEM);
    }

    @Test
    void a_damaged_pem_block_is_malformed() {
        String damaged = Vectors.text("test-ed25519.pem").replace("MC4CAQAw", "MC4CAQBw");

        KeyFormatException e = catchThrowableOfType(KeyFormatException.class, () -> KeyPem.readSigningKey(damaged));

        assertThat(e.reason()).isIn(KeyFormatError.MALFORMED_KEY, KeyFormatError.UNSUPPORTED_KEY_TYPE);
    }

    @Test
    void a_p384_key_is_not_supported() {
        String p384 = """
                -----BEGIN PUBLIC KEY-----
                MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE6FEV/S98kQ3tSLGuQk7HtZWCtuT90rdC
                Hqk4uUHKlO3XB9F9OJ6TXG68YXc0RdG/LHSVa7Mi2cgh5ihFg7Ed/Lcz0BNr34t3
                c/qW9cB3DlLt/GjZKo1/S3TawKesIkY4
                -----END PUBLIC KEY-----
                """;

        KeyFormatException e = catchThrowableOfType(KeyFormatException.class, () -> KeyPem.readPublicKey(p384));

        assertThat(e.reason()).isEqualTo(KeyFormatError.UNSUPPORTED_KEY_TYPE);
        assertThat(e.getMessage()).contains("P-256");
    }
}

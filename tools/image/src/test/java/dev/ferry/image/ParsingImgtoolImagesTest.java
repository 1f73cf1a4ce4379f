package dev.ferry.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ParsingImgtoolImagesTest {

    @Test
    void reads_header_fields_of_an_image_signed_with_a_padded_header() {
        McubootImage image = Vectors.image("ed25519-pad-header.bin");

        assertThat(image.version()).isEqualTo(new ImageVersion(1, 2, 3, 4));
        assertThat(image.header().headerSize()).isEqualTo(0x200);
        assertThat(image.header().imageSize()).isEqualTo(3000);
        assertThat(image.header().protectedTlvSize()).isZero();
        assertThat(image.header().loadAddress()).isZero();
        assertThat(image.flags()).isEmpty();
        assertThat(image.securityCounter()).isEmpty();
        assertThat(image.body()).isEqualTo(Vectors.bytes("app-raw.bin"));
        assertThat(image.trailingLength()).isZero();
        assertThat(image.hasTrailerMagic()).isFalse();
    }

    @Test
    void lists_hash_key_hash_and_signature_in_the_order_imgtool_writes_them() {
        McubootImage image = Vectors.image("ed25519-pad-header.bin");

        assertThat(image.unprotectedTlvs()).extracting(Tlv::typeName)
                .containsExactly("SHA256", "KEYHASH", "ED25519");
        assertThat(image.keyHash()).hasValue(Vectors.bytes("keyhash-ed25519.bin"));
        assertThat(image.hash().orElseThrow()).hasSize(32);
        assertThat(image.unknownTlvs()).isEmpty();
    }

    @Test
    void reads_the_security_counter_from_the_protected_area() {
        McubootImage image = Vectors.image("ed25519-seccnt-confirm.bin");

        assertThat(image.securityCounter()).hasValue(7);
        assertThat(image.protectedTlvs()).extracting(Tlv::typeName).containsExactly("SEC_CNT");
        assertThat(image.header().protectedTlvSize()).isEqualTo(4 + 8);
        assertThat(image.version()).hasToString("2.0.1+77");
    }

    @Test
    void reads_a_security_counter_derived_from_the_version() {
        McubootImage image = Vectors.image("ed25519-pubkey-auto-counter-pad-align4.bin");

        assertThat(image.securityCounter()).hasValue((3L << 24) + (4L << 16) + 5);
        assertThat(image.publicKey()).hasValue(Vectors.publicKey("ed25519").mcubootEncoding());
        assertThat(image.keyHash()).isEmpty();
    }

    @Test
    void sees_the_slot_padding_and_trailer_magic_after_the_tlvs() {
        McubootImage image = Vectors.image("ed25519-seccnt-confirm.bin");

        assertThat(image.bytes()).hasSize(0x2000);
        assertThat(image.imageLength() + image.trailingLength()).isEqualTo(0x2000);
        assertThat(image.hasTrailerMagic()).isTrue();
    }

    @Test
    void reads_dependencies_and_the_ram_load_address() {
        McubootImage image = Vectors.image("ed25519-dependency-ramload.bin");

        assertThat(image.dependencies()).containsExactly(new ImageDependency(1, new ImageVersion(2, 3, 4, 5)));
        assertThat(image.header().loadAddress()).isEqualTo(0x2000_0000L);
        assertThat(image.flags()).containsExactly(ImageFlag.RAM_LOAD);
    }

    @Test
    void keeps_and_reports_vendor_tlvs_and_the_boot_record() {
        McubootImage image = Vectors.image("ed25519-boot-record-custom-tlv.bin");

        assertThat(image.protectedTlvs()).extracting(Tlv::typeName).containsExactly("BOOT_RECORD", "0x00a0");
        assertThat(image.unknownTlvs()).singleElement().satisfies(tlv -> {
            assertThat(tlv.type()).isEqualTo(0xa0);
            assertThat(HexFormat.of().formatHex(tlv.value())).isEqualTo("0102030405");
        });
    }

    @Test
    void recognises_a_pure_signature() {
        McubootImage image = Vectors.image("ed25519-pure.bin");

        assertThat(image.isPureSignature()).isTrue();
        assertThat(image.unprotectedTlvs()).extracting(Tlv::typeName).contains("SIG_PURE", "ED25519");
    }

    @Test
    void writing_a_parsed_image_back_gives_the_same_bytes() {
        for (String name : new String[] {"ed25519-pad-header.bin", "ed25519-seccnt-confirm.bin",
                "ed25519-boot-record-custom-tlv.bin", "ed25519-dependency-ramload.bin", "rsa-3072.bin",
                "ecdsa-p256-seccnt.bin", "unsigned-hash-only.bin", "ed25519-pure.bin"}) {
            McubootImage image = Vectors.image(name);

            assertThat(ImageWriter.write(image)).as(name).isEqualTo(Vectors.bytes(name));
        }
    }

    @Test
    void an_empty_protected_area_is_kept_when_written_back() throws Exception {
        byte[] bytes = TestImages.assemble(java.util.List.of(), java.util.List.of(TestImages.sha256Of(32)));
        byte[] withEmptyArea = new byte[bytes.length + 4];
        System.arraycopy(bytes, 0, withEmptyArea, 0, TestImages.HEADER_SIZE + 64);
        System.arraycopy(new byte[] {0x08, 0x69, 4, 0}, 0, withEmptyArea, TestImages.HEADER_SIZE + 64, 4);
        System.arraycopy(bytes, TestImages.HEADER_SIZE + 64, withEmptyArea, TestImages.HEADER_SIZE + 68, bytes.length - TestImages.HEADER_SIZE - 64);
        withEmptyArea = TestImages.withU16(withEmptyArea, 10, 4);

        McubootImage image = McubootImage.parse(withEmptyArea);

        assertThat(image.protectedTlvs()).isEmpty();
        assertThat(ImageWriter.write(image)).isEqualTo(withEmptyArea);
    }

    @Test
    void parses_from_a_stream_as_from_bytes() throws Exception {
        McubootImage image = McubootImage.parse(new java.io.ByteArrayInputStream(Vectors.bytes("rsa-2048.bin")));

        assertThat(image.signatures()).extracting(Tlv::typeName).containsExactly("RSA2048_PSS");
    }
}

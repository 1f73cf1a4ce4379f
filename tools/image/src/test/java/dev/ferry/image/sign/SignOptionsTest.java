package dev.ferry.image.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.image.ImageVersion;
import dev.ferry.image.Vectors;
import org.junit.jupiter.api.Test;

class SignOptionsTest {

    private static final ImageVersion V1 = ImageVersion.parse("1.0.0");

    @Test
    void defaults_are_imgtools() {
        SignOptions options = SignOptions.builder(V1, 0x200).build();

        assertThat(options.align()).isEqualTo(1);
        assertThat(options.maxAlign()).isEqualTo(8);
        assertThat(options.maxSectors()).isEqualTo(128);
        assertThat(options.erasedValue()).isEqualTo(0xff);
        assertThat(options.publicKeyFormat()).isEqualTo(PublicKeyFormat.HASH);
        assertThat(options.securityCounter()).isEmpty();
        assertThat(options.pad()).isFalse();
    }

    @Test
    void confirm_implies_pad() {
        assertThat(SignOptions.builder(V1, 0x200).slotSize(0x1000).confirm(true).build().pad()).isTrue();
    }

    @Test
    void inconsistent_options_are_refused_with_the_reason() {
        assertThatIllegalArgumentException().isThrownBy(() -> SignOptions.builder(V1, 0x10).build())
                .withMessageContaining("header size");
        assertThatIllegalArgumentException().isThrownBy(() -> SignOptions.builder(V1, 0x200).pad(true).build())
                .withMessageContaining("slot size");
        assertThatIllegalArgumentException().isThrownBy(() -> SignOptions.builder(V1, 0x200).align(3).build())
                .withMessageContaining("align");
        assertThatIllegalArgumentException().isThrownBy(() -> SignOptions.builder(V1, 0x200)
                .loadAddress(0x2000_0000L).romFixedAddress(0x1000).build()).withMessageContaining("exclude");
        assertThatIllegalArgumentException().isThrownBy(() -> SignOptions.builder(V1, 0x200)
                .securityCounter(0x1_0000_0000L).build()).withMessageContaining("security counter");
    }

    @Test
    void firmware_shorter_than_its_header_area_is_refused() {
        SignException e = catchThrowableOfType(SignException.class,
                () -> new ImageSigner().sign(new byte[16], SignOptions.builder(V1, 0x200).build(), null));

        assertThat(e.reason()).isEqualTo(SignError.INPUT_SHORTER_THAN_HEADER);
        assertThat(e.getMessage()).contains("--pad-header");
    }

    @Test
    void an_image_that_leaves_no_room_for_the_trailer_is_refused() {
        SignOptions options = SignOptions.builder(V1, 0x200).padHeader(true).slotSize(0xe00).build();

        SignException e = catchThrowableOfType(SignException.class,
                () -> new ImageSigner().sign(Vectors.bytes("app-raw.bin"), options, null));

        assertThat(e.reason()).isEqualTo(SignError.IMAGE_TOO_LARGE_FOR_SLOT);
    }

    @Test
    void a_larger_max_align_changes_the_trailer_magic_as_imgtool_does() throws Exception {
        SignOptions options = SignOptions.builder(V1, 0x200).padHeader(true).slotSize(0x2000).pad(true)
                .maxAlign(32).build();

        byte[] image = new ImageSigner().sign(Vectors.bytes("app-raw.bin"), options, null);

        assertThat(image).hasSize(0x2000);
        assertThat(image[0x2000 - 16]).isEqualTo((byte) 32);
        assertThat(image[0x2000 - 15]).isZero();
        assertThat(image[0x2000 - 14]).isEqualTo((byte) 0x2d);
    }
}

package dev.ferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class ImageVersionTest {

    @Test
    void parses_every_form_imgtool_accepts() {
        assertThat(ImageVersion.parse("1")).isEqualTo(new ImageVersion(1, 0, 0, 0));
        assertThat(ImageVersion.parse("1.2")).isEqualTo(new ImageVersion(1, 2, 0, 0));
        assertThat(ImageVersion.parse("1.2.3")).isEqualTo(new ImageVersion(1, 2, 3, 0));
        assertThat(ImageVersion.parse("255.255.65535+4294967295")).hasToString("255.255.65535+4294967295");
    }

    @Test
    void rejects_what_imgtool_rejects_and_what_does_not_fit_the_header() {
        for (String bad : new String[] {"", "1.", "01.2", "1.2.3.4", "1.2+3", "v1.2.3", "256.0.0", "1.2.65536",
                "1.2.3+4294967296", "1.2.3+99999999999999999999"}) {
            assertThatIllegalArgumentException().as(bad).isThrownBy(() -> ImageVersion.parse(bad));
        }
    }

    @Test
    void orders_by_major_minor_revision_then_build() {
        assertThat(ImageVersion.parse("1.2.3+4")).isLessThan(ImageVersion.parse("1.2.3+5"))
                .isLessThan(ImageVersion.parse("1.2.4")).isLessThan(ImageVersion.parse("1.10.0"))
                .isLessThan(ImageVersion.parse("2.0.0"));
    }

    @Test
    void derives_the_security_counter_like_imgtool_auto() {
        assertThat(ImageVersion.parse("3.4.5+6").derivedSecurityCounter()).isEqualTo(0x0304_0005L);
    }
}

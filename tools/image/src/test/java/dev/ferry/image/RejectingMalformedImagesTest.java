package dev.ferry.image;

import static dev.ferry.image.TestImages.assemble;
import static dev.ferry.image.TestImages.securityCounter;
import static dev.ferry.image.TestImages.sha256Of;
import static dev.ferry.image.TestImages.withU16;
import static dev.ferry.image.TestImages.withU32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** One malformed input per {@link ImageFormatError}; each must be rejected with exactly that reason. */
class RejectingMalformedImagesTest {

    /** ecdsa-p256-seccnt.bin: header 0x200, body 3000 bytes, 12-byte protected area, no padding. */
    private static final byte[] VALID = Vectors.bytes("ecdsa-p256-seccnt.bin");
    private static final int PROTECTED_AREA = 0x200 + 3000;
    private static final int UNPROTECTED_AREA = PROTECTED_AREA + 12;

    private static Map<ImageFormatError, ThrowingCallable> malformedInputs() {
        Map<ImageFormatError, ThrowingCallable> inputs = new EnumMap<>(ImageFormatError.class);
        inputs.put(ImageFormatError.TRUNCATED_HEADER, parse(Arrays.copyOf(VALID, 31)));
        inputs.put(ImageFormatError.BAD_MAGIC, parse(withU32(VALID, 0, 0x96f3b83cL)));
        inputs.put(ImageFormatError.HEADER_SIZE_OUT_OF_RANGE, parse(withU16(VALID, 8, 0x10)));
        inputs.put(ImageFormatError.IMAGE_SIZE_OUT_OF_RANGE, parse(withU32(VALID, 12, 0xffff_ffffL)));
        inputs.put(ImageFormatError.MISSING_TLV_AREA, parse(Arrays.copyOf(VALID, PROTECTED_AREA + 2)));
        inputs.put(ImageFormatError.BAD_TLV_INFO_MAGIC, parse(withU16(VALID, UNPROTECTED_AREA, 0x1234)));
        inputs.put(ImageFormatError.PROTECTED_TLV_SIZE_MISMATCH, parse(withU16(VALID, 10, 0x10)));
        inputs.put(ImageFormatError.TLV_AREA_TOO_SMALL, parse(withU16(VALID, UNPROTECTED_AREA + 2, 2)));
        inputs.put(ImageFormatError.TLV_AREA_OVERRUNS_IMAGE, parse(withU16(VALID, UNPROTECTED_AREA + 2, 0xffff)));
        inputs.put(ImageFormatError.TLV_OVERRUNS_AREA, parse(withU16(VALID, UNPROTECTED_AREA + 6, 0x1000)));
        inputs.put(ImageFormatError.TLV_BAD_LENGTH, parse(assemble(List.of(), List.of(sha256Of(31)))));
        inputs.put(ImageFormatError.TLV_MUST_BE_PROTECTED,
                parse(assemble(List.of(), List.of(sha256Of(32), securityCounter(9)))));
        inputs.put(ImageFormatError.DUPLICATE_TLV,
                parse(assemble(List.of(securityCounter(1), securityCounter(2)), List.of(sha256Of(32)))));
        inputs.put(ImageFormatError.IMAGE_TOO_LARGE,
                () -> McubootImage.parse(new ByteArrayInputStream(VALID), 1024));
        return inputs;
    }

    @Test
    void every_reason_has_a_malformed_input_that_produces_it() {
        assertThat(malformedInputs().keySet()).containsExactlyInAnyOrder(ImageFormatError.values());
    }

    @Test
    void each_malformed_input_is_rejected_with_its_own_reason_and_a_message() {
        malformedInputs().forEach((reason, parse) -> {
            ImageFormatException e = catchThrowableOfType(ImageFormatException.class, parse);

            assertThat(e).as("parsing the input for %s", reason).isNotNull();
            assertThat(e.reason()).as("reason for the %s input: %s", reason, e.getMessage()).isEqualTo(reason);
            assertThat(e.getMessage()).isNotBlank();
        });
    }

    @Test
    void the_unmodified_input_parses() throws Exception {
        assertThat(McubootImage.parse(VALID).securityCounter()).hasValue(3);
    }

    @Test
    void an_old_header_magic_is_named_with_what_to_do() {
        ImageFormatException e = catchThrowableOfType(ImageFormatException.class,
                parse(withU32(VALID, 0, 0x96f3b83cL)));

        assertThat(e.getMessage()).contains("0x96f3b83c").contains("re-sign");
    }

    @Test
    void a_tlv_running_past_its_area_names_its_offset() {
        ImageFormatException e = catchThrowableOfType(ImageFormatException.class,
                parse(withU16(VALID, UNPROTECTED_AREA + 6, 0x1000)));

        assertThat(e.getMessage()).contains("0x0010").contains(String.format("0x%x", UNPROTECTED_AREA + 4));
    }

    @Test
    void a_raw_firmware_file_is_not_an_image() {
        ImageFormatException e = catchThrowableOfType(ImageFormatException.class,
                parse(Vectors.bytes("app-raw.bin")));

        assertThat(e.reason()).isEqualTo(ImageFormatError.BAD_MAGIC);
        assertThat(e.getMessage()).contains("ferry image sign");
    }

    private static ThrowingCallable parse(byte[] bytes) {
        return () -> McubootImage.parse(bytes);
    }
}

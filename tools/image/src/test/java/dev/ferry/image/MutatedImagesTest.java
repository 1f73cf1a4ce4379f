package dev.ferry.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.image.verify.ImageVerifier;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.image.verify.VerificationResult;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the parser and verifier with random damage to valid imgtool images: whatever the
 * damage, the only outcomes are a parsed image, an {@link ImageFormatException} or a failed
 * verification, never an unchecked exception; and damage to a signed image is never trusted.
 */
class MutatedImagesTest {

    private static final List<String> VECTORS = List.of("ed25519-pad-header.bin", "ed25519-seccnt-confirm.bin",
            "ecdsa-p256-seccnt.bin", "rsa-2048.bin", "ed25519-boot-record-custom-tlv.bin",
            "ed25519-dependency-ramload.bin", "ed25519-pubkey-auto-counter-pad-align4.bin", "ed25519-pure.bin",
            "unsigned-hash-only.bin");

    private static final TrustedKeys TRUSTED = TrustedKeys.of(Vectors.publicKey("ed25519"),
            Vectors.publicKey("ecdsa-p256"), Vectors.publicKey("rsa-2048"));

    @Property(tries = 2000)
    void damaged_images_yield_an_image_or_a_typed_error_and_nothing_else(@ForAll("damagedImages") byte[] bytes) {
        McubootImage image;
        try {
            image = McubootImage.parse(bytes);
        } catch (ImageFormatException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        // Everything the server reads from a parsed image must be safe to call.
        image.version();
        image.securityCounter();
        image.dependencies();
        image.hash();
        image.keyHash();
        image.unknownTlvs();
        image.hasTrailerMagic();
        ImageWriter.write(image);
        VerificationResult result = new ImageVerifier(TRUSTED).verify(image);
        assertThat(result.message()).isNotBlank();
        assertThat(result.isOk() || result.failure().isPresent()).isTrue();
    }

    @Property(tries = 1000)
    void no_damage_to_a_signed_image_is_ever_trusted(
            @ForAll("signedImages") byte[] original, @ForAll("fractions") double where, @ForAll("nonZeroBytes") byte xor) {
        int imageLength = Vectors.imageLength(original);
        byte[] damaged = original.clone();
        damaged[(int) (where * imageLength)] ^= xor;

        try {
            assertThat(new ImageVerifier(TRUSTED).verify(McubootImage.parse(damaged)).isOk()).isFalse();
        } catch (ImageFormatException expected) {
            assertThat(expected.reason()).isNotNull();
        }
    }

    @Provide
    Arbitrary<byte[]> signedImages() {
        return Arbitraries.of(VECTORS.subList(0, VECTORS.size() - 1)).map(Vectors::bytes);
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 1).filter(d -> d < 1);
    }

    @Provide
    Arbitrary<Byte> nonZeroBytes() {
        return Arbitraries.bytes().filter(b -> b != 0);
    }

    @Provide
    Arbitrary<byte[]> damagedImages() {
        Arbitrary<byte[]> originals = Arbitraries.of(VECTORS).map(Vectors::bytes);
        return originals.flatMap(bytes -> Arbitraries.oneOf(
                flippedBytes(bytes), overwrittenField(bytes), truncated(bytes), spliced(bytes)));
    }

    /** A few bytes anywhere set to random values. */
    private static Arbitrary<byte[]> flippedBytes(byte[] bytes) {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, bytes.length - 1);
        return Combinators.combine(position.list().ofMinSize(1).ofMaxSize(8), Arbitraries.bytes().list().ofSize(8))
                .as((positions, values) -> {
                    byte[] copy = bytes.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        copy[positions.get(i)] = values.get(i);
                    }
                    return copy;
                });
    }

    /** A 16- or 32-bit field set to an edge value, most likely to hit sizes and lengths. */
    private static Arbitrary<byte[]> overwrittenField(byte[] bytes) {
        Arbitrary<Long> edgeValues = Arbitraries.of(0L, 1L, 3L, 4L, 0x20L, 0x7fffL, 0x8000L, 0xffffL, 0x10000L,
                0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, (long) bytes.length, bytes.length + 1L);
        return Combinators.combine(Arbitraries.integers().between(0, bytes.length - 4), edgeValues,
                Arbitraries.of(2, 4)).as((offset, value, width) -> width == 2
                        ? TestImages.withU16(bytes, offset, (int) (value & 0xffff))
                        : TestImages.withU32(bytes, offset, value));
    }

    private static Arbitrary<byte[]> truncated(byte[] bytes) {
        return Arbitraries.integers().between(0, bytes.length - 1).map(length -> Arrays.copyOf(bytes, length));
    }

    /** Some bytes cut out of the middle, or random bytes inserted, shifting everything after. */
    private static Arbitrary<byte[]> spliced(byte[] bytes) {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, bytes.length);
        Arbitrary<byte[]> insert = Arbitraries.bytes().array(byte[].class).ofMaxSize(16);
        return Combinators.combine(at, Arbitraries.integers().between(0, 16), insert).as((offset, cut, extra) -> {
            int end = Math.min(bytes.length, offset + cut);
            byte[] out = new byte[offset + extra.length + bytes.length - end];
            System.arraycopy(bytes, 0, out, 0, offset);
            System.arraycopy(extra, 0, out, offset, extra.length);
            System.arraycopy(bytes, end, out, offset + extra.length, bytes.length - end);
            return out;
        });
    }
}

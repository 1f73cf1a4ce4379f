/**
 * MCUboot images: parse and write the on-flash format MCUboot defines.
 *
 * <p>Typical use by the server, checking an upload:
 * <pre>{@code
 * McubootImage image = McubootImage.parse(bytes);                // ImageFormatException: malformed
 * VerificationResult result = ImageVerifier.verify(image, trusted); // failure() says why not trusted
 * long counter = image.securityCounter().orElse(0);               // rollback protection
 * }</pre>
 * Keys are in {@code dev.ferry.image.keys}, signing in {@code dev.ferry.image.sign}, and
 * verification in {@code dev.ferry.image.verify}.
 */
package dev.ferry.image;

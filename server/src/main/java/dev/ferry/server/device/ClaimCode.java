package dev.ferry.server.device;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * The claim code format: 12 symbols from a 32-symbol alphabet without the look-alikes 0/O and 1/I, so 60 bits
 * from a {@link SecureRandom}, printed in groups of four ({@code 7KQ4-M2XD-9PTA}). People type codes from a box,
 * so reading is lenient about case, hyphens and spaces, and strict about everything else.
 *
 * <p>Only the SHA-256 of the normalised code is stored. A slow, salted password hash is not needed: a code is not
 * chosen by a person but drawn with 60 bits of entropy, so a leaked hash cannot be reversed from a dictionary, and
 * online guessing needs an API token and is rate limited. An unsalted hash also lets a claim find its code by
 * index in one conditional UPDATE.
 */
public final class ClaimCode {
    static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    public static final int LENGTH = 12;
    static final int GROUP = 4;
    public static final String RULE = LENGTH + " characters from 2-9 and A-Z without I and O, optionally grouped"
            + " with hyphens, e.g. 7KQ4-M2XD-9PTA";

    private ClaimCode() {
    }

    /** A new code in its printed form. */
    static String generate(SecureRandom random) {
        StringBuilder code = new StringBuilder(LENGTH + LENGTH / GROUP);
        for (int i = 0; i < LENGTH; i++) {
            if (i > 0 && i % GROUP == 0) {
                code.append('-');
            }
            code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /** The code without separators, upper case; empty when it is not a claim code at all. */
    public static Optional<String> normalise(String input) {
        if (input == null || input.length() > 2 * LENGTH) {
            return Optional.empty();
        }
        StringBuilder code = new StringBuilder(LENGTH);
        for (char c : input.toUpperCase(Locale.ROOT).toCharArray()) {
            if (c == '-' || c == ' ') {
                continue;
            }
            if (ALPHABET.indexOf(c) < 0) {
                return Optional.empty();
            }
            code.append(c);
        }
        return code.length() == LENGTH ? Optional.of(code.toString()) : Optional.empty();
    }

    /** The stored form of a code given in any accepted spelling; the code must be well-formed. */
    static byte[] hash(String code) {
        String normalised = normalise(code).orElseThrow(() -> new IllegalArgumentException("not a claim code"));
        try {
            return MessageDigest.getInstance("SHA-256").digest(normalised.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}

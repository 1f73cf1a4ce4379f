package dev.ferry.cli.image;

import picocli.CommandLine.ITypeConverter;

/**
 * Reads numbers the way imgtool does ({@code int(x, 0)}): decimal, or with a 0x, 0o or 0b prefix,
 * so sizes and addresses can be copied from a linker map or a devicetree.
 */
final class BasedNumber implements ITypeConverter<Long> {

    @Override
    public Long convert(String text) {
        return parse(text);
    }

    static long parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT).replace("_", "");
        try {
            if (t.startsWith("0x")) {
                return Long.parseLong(t.substring(2), 16);
            }
            if (t.startsWith("0o")) {
                return Long.parseLong(t.substring(2), 8);
            }
            if (t.startsWith("0b")) {
                return Long.parseLong(t.substring(2), 2);
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text
                    + "' is not a number; write it in decimal or with a 0x, 0o or 0b prefix");
        }
    }

    static int toInt(long value, String what) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " " + value + " is out of range");
        }
        return (int) value;
    }
}

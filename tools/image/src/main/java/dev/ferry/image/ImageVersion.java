package dev.ferry.image;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version stored in an image header: {@code major.minor.revision+build}.
 *
 * <p>Fixed format: {@code struct image_version} is major u8, minor u8, revision u16, build u32.
 */
public record ImageVersion(int major, int minor, int revision, long build) implements Comparable<ImageVersion> {

    /** Same grammar as imgtool's {@code decode_version}: later parts optional, no leading zeros. */
    private static final Pattern TEXT = Pattern.compile(
            "^([1-9]\\d*|0)(\\.([1-9]\\d*|0)(\\.([1-9]\\d*|0)(\\+([1-9]\\d*|0))?)?)?$");

    public ImageVersion {
        checkRange("major", major, 0xff);
        checkRange("minor", minor, 0xff);
        checkRange("revision", revision, 0xffff);
        checkRange("build", build, 0xffff_ffffL);
    }

    /**
     * Parses {@code maj.min.rev+build}, where every part after the major is optional.
     *
     * @throws IllegalArgumentException naming the accepted form when the text does not match
     *     or a part does not fit its header field
     */
    public static ImageVersion parse(String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid version '" + text
                    + "': expected major.minor.revision+build (e.g. 1.2.3+4), later parts optional");
        }
        try {
            return new ImageVersion(
                    Integer.parseInt(m.group(1)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3)),
                    m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
                    m.group(7) == null ? 0 : Long.parseLong(m.group(7)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid version '" + text + "': a part is too large", e);
        }
    }

    /**
     * The security counter imgtool derives from a version for {@code --security-counter auto}:
     * {@code (major << 24) + (minor << 16) + revision}.
     */
    public long derivedSecurityCounter() {
        return ((long) major << 24) + ((long) minor << 16) + revision;
    }

    @Override
    public int compareTo(ImageVersion other) {
        int c = Integer.compare(major, other.major);
        if (c == 0) {
            c = Integer.compare(minor, other.minor);
        }
        if (c == 0) {
            c = Integer.compare(revision, other.revision);
        }
        return c != 0 ? c : Long.compare(build, other.build);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + revision + "+" + build;
    }

    private static void checkRange(String part, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("version " + part + " " + value + " is out of range 0.." + max);
        }
    }
}

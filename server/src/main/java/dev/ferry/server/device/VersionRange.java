package dev.ferry.server.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which firmware versions a device filter means: an exact version ({@code 1.2.0}, {@code 1.2.0+3}) or a range of
 * space-separated comparators that must all hold ({@code <2.0.0}, {@code >=1.0.0 <2.0.0}; operators {@code <},
 * {@code <=}, {@code >}, {@code >=} and {@code =}).
 *
 * <p>Versions are MCUboot's {@code major.minor.revision+build}, all three numbers required, as devices report them
 * in 3/0/3 (for example {@code 1.0.0+0}). Build numbers follow semantic versioning, where build metadata does not
 * take part in precedence: a version given without a build matches every build of it, so the exact {@code 1.0.0}
 * matches a device on {@code 1.0.0+0} or {@code 1.0.0+7}, and {@code <=1.0.0} includes {@code 1.0.0+7}. A version
 * given with a build means exactly that build ({@code 1.0.0+3}, or {@code =1.0.0+3}); the ordering comparators do
 * not take one, since "before build 3" is not a semantic-version question. A device version that does not parse
 * (missing, {@code 1.2}, {@code v1.2.3}) matches no expression.
 */
public final class VersionRange {
    /** Same numbers as imgtool's versions (no leading zeros), revision and build required only as written here. */
    private static final Pattern VERSION = Pattern.compile("(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,4})"
            + "(?:\\+(0|[1-9]\\d{0,9}))?");
    private static final Pattern COMPARATOR = Pattern.compile("(<=|>=|<|>|=)?(.*)");
    public static final String RULE = "an exact version such as 1.2.0 or 1.2.0+3, or space-separated comparators"
            + " (<, <=, >, >=, =) such as <2.0.0 or >=1.0.0 <2.0.0";

    private final String text;
    private final List<Comparator> comparators;

    private VersionRange(String text, List<Comparator> comparators) {
        this.text = text;
        this.comparators = comparators;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException saying what is wrong and what is accepted
     */
    public static VersionRange parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("an empty version expression; expected " + RULE);
        }
        List<Comparator> comparators = new ArrayList<>();
        for (String token : expression.strip().split("\\s+")) {
            Matcher m = COMPARATOR.matcher(token);
            m.matches();
            String op = m.group(1) == null ? "=" : m.group(1);
            Version version = Version.parse(m.group(2)).orElseThrow(() -> new IllegalArgumentException("'"
                    + m.group(2) + "' in '" + expression + "' is not a version major.minor.revision or"
                    + " major.minor.revision+build; expected " + RULE));
            if (version.build() != null && !op.equals("=")) {
                throw new IllegalArgumentException("'" + token + "' in '" + expression + "' compares a build number"
                        + " with " + op + "; build numbers can only be matched exactly (1.2.0+3), ranges compare"
                        + " major.minor.revision");
            }
            comparators.add(new Comparator(op, version));
        }
        return new VersionRange(expression.strip(), List.copyOf(comparators));
    }

    /** Whether the expression parses (for validation that collects problems instead of throwing). */
    public static String problemOf(String expression) {
        try {
            parse(expression);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** Whether a device reporting {@code deviceVersion} (may be null) is in this range. */
    public boolean matches(String deviceVersion) {
        if (deviceVersion == null) {
            return false;
        }
        var version = Version.parse(deviceVersion.strip());
        return version.isPresent() && comparators.stream().allMatch(c -> c.holds(version.get()));
    }

    @Override
    public String toString() {
        return text;
    }

    private record Comparator(String op, Version bound) {
        boolean holds(Version v) {
            if (op.equals("=") && bound.build() != null) {
                return v.compareIgnoringBuild(bound) == 0 && bound.build().equals(v.build());
            }
            int c = v.compareIgnoringBuild(bound);
            return switch (op) {
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                default -> c == 0;
            };
        }
    }

    /** {@code build} is null when the text has none (a device reporting {@code 1.0.0} has no build). */
    private record Version(int major, int minor, int revision, Long build) {
        static Optional<Version> parse(String text) {
            Matcher m = VERSION.matcher(text);
            if (!m.matches()) {
                return Optional.empty();
            }
            return Optional.of(new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), m.group(4) == null ? null : Long.parseLong(m.group(4))));
        }

        int compareIgnoringBuild(Version o) {
            int c = Integer.compare(major, o.major);
            if (c == 0) {
                c = Integer.compare(minor, o.minor);
            }
            return c != 0 ? c : Integer.compare(revision, o.revision);
        }
    }
}

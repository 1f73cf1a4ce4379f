package dev.ferry.cli;

/** Exit codes of every {@code ferry} command, so scripts can tell a bad image from a typo. */
public final class ExitCodes {

    public static final int OK = 0;
    /** The command ran but rejected its input: invalid image or key, failed verification. */
    public static final int REJECTED = 1;
    /** The command line itself was wrong (picocli's convention). */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}

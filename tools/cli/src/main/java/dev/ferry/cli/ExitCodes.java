package dev.ferry.cli;

/** Exit codes of every {@code ferry} command, so that scripts and CI pipelines can tell outcomes apart. */
public final class ExitCodes {

    public static final int OK = 0;
    /** The command line itself was wrong: an unknown command or option, a missing or malformed value. */
    public static final int USAGE = 1;
    /**
     * Refused: the server's API refused the request (its problem detail is printed), or the command rejected its
     * input (an invalid image or key, a failed verification, an unreadable file).
     */
    public static final int REFUSED = 2;
    /** The server could not be reached, or did not answer within the request timeout. */
    public static final int UNREACHABLE = 3;
    /** A watched rollout paused (by an operator or by its gate): it waits for someone to decide. */
    public static final int PAUSED = 4;
    /** A watched rollout or update ended without success: cancelled, rolled back, or the update failed. */
    public static final int NOT_COMPLETED = 5;

    /** The exit codes as the help footer and the README explain them. */
    public static final String SUMMARY = "Exit codes: " + OK + " success; " + USAGE + " bad command line; "
            + REFUSED + " refused: the API refused the request (its problem detail is printed) or the input was"
            + " rejected (invalid image or key, failed verification, unreadable file); " + UNREACHABLE
            + " cannot reach the server (or no answer within --timeout); " + PAUSED + " a watched rollout paused; "
            + NOT_COMPLETED + " a watched rollout or update ended without success (cancelled, rolled back, failed).";

    private ExitCodes() {
    }
}

package dev.ferry.server.distribution;

/**
 * Decides whether an HTTP download of an image may go ahead on the strength of the download token in its URL (HTTP
 * carries no device identity). A token opens one image for one update session, until that session ends. Callable
 * from any thread; never touches the database.
 */
@FunctionalInterface
public interface HttpDownloadAccess {

    /** What a token is worth for an image. */
    enum Verdict {
        /** The token belongs to an unfinished session that installs this image. */
        GRANTED,
        /** No token was given. */
        MISSING,
        /** Not a token this server made for this image: guessed, mistyped, or another session's image. */
        INVALID,
        /** The token's session has ended (succeeded, failed, cancelled) or its deadline has passed. */
        EXPIRED
    }

    /** @param token the token as given in the URL, or null when there was none */
    Verdict check(String token, String sha256);
}

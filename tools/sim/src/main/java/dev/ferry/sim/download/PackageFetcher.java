package dev.ferry.sim.download;

/** Fetches a firmware package from one URI, from any offset, so interrupted downloads resume. */
public interface PackageFetcher {

    /**
     * Starts an attempt from {@code offset}.
     *
     * @param etag the ETag seen by an earlier attempt, null if none: a server sending another one has a
     *     changed package, and the receiver restarts from zero
     */
    Transfer fetch(long offset, byte[] etag, FetchCallback callback);

    /** One attempt under way. */
    interface Transfer {
        /** Abandons the attempt, closing its connection; no callback follows. */
        void cancel();
    }
}

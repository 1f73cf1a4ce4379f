package dev.ferry.sim.download;

/**
 * Receives one fetch attempt: {@link #started} once, then {@link #data} in order, then exactly one of
 * {@link #completed} or {@link #failed}, unless a callback returned false (the receiver stopped the attempt)
 * or the attempt was cancelled. Calls come from transport threads, one at a time.
 */
public interface FetchCallback {

    /**
     * The server's first answer.
     *
     * @param etag the package's entity tag, null when the server sent none
     * @param totalSize the package size, -1 when unknown
     * @param offset where the server's data starts: the asked-for offset, or 0 when it sends the whole package
     * @return false to stop this attempt
     */
    boolean started(byte[] etag, long totalSize, long offset);

    /** @return false to stop this attempt */
    boolean data(long offset, byte[] bytes);

    void completed();

    void failed(FetchFailure failure, String detail);
}

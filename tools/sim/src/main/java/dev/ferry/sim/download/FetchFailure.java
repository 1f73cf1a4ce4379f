package dev.ferry.sim.download;

/** Why a fetch attempt ended early. */
public enum FetchFailure {
    /** No answer in time, the connection broke, the DTLS handshake failed, or a server error: worth resuming. */
    CONNECTION_LOST,
    /** The server does not have the package (CoAP 4.04, HTTP 404). */
    NOT_FOUND,
    /** The server refused the request (another client error); the detail says which. */
    REFUSED,
    /** The offset asked for is past the package's end (HTTP 416): start again from zero. */
    RANGE_NOT_SATISFIABLE,
    /** The package's ETag changed in the middle of the transfer: start again from zero. */
    PACKAGE_CHANGED
}

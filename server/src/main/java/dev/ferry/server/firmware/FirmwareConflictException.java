package dev.ferry.server.firmware;

/** A change that conflicts with what exists (e.g. deleting a key or image still in use); the API answers 409. */
public final class FirmwareConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FirmwareConflictException(String message) {
        super(message);
    }
}

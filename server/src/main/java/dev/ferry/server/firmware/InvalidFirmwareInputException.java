package dev.ferry.server.firmware;

/** A request to the firmware repository that is malformed in itself (not the image); the API answers 400. */
public final class InvalidFirmwareInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidFirmwareInputException(String message) {
        super(message);
    }
}

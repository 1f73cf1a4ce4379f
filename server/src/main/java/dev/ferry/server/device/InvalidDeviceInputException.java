package dev.ferry.server.device;

/** A provisioning or change request is not acceptable; the message says which field and what is allowed. */
public class InvalidDeviceInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidDeviceInputException(String message) {
        super(message);
    }
}

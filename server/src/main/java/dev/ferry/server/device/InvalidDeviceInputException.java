package dev.ferry.server.device;

/** A provisioning or change request is not acceptable; the message says which field and what is allowed. */
public class InvalidDeviceInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidDeviceInputException(String message) {
        this(null, message);
    }

    /** @param field the request field at fault, as the JSON body names it ({@code security.key}), or null */
    public InvalidDeviceInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request field at fault, e.g. {@code security.key}; null when no one field is. */
    public String field() {
        return field;
    }
}

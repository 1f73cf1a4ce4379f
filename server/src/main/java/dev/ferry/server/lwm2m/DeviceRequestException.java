package dev.ferry.server.lwm2m;

/** A read, write or execute could not be carried out; {@link #kind()} says why, the message says it for people. */
public class DeviceRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The device has no current registration. */
        NOT_REGISTERED,
        /** The device uses queue mode and is sleeping. */
        ASLEEP,
        /** The device did not answer in time. */
        TIMEOUT,
        /** The device answered with a CoAP error code. */
        DEVICE_ERROR,
        /** The object model has no such object or resource. */
        UNKNOWN_RESOURCE,
        /** The object model does not allow the operation on the resource; {@link #allowedOperations()} does. */
        NOT_ALLOWED,
        /** The value does not fit the resource's type. */
        BAD_VALUE,
        /** Sending failed for another reason (connection, encoding). */
        SEND_FAILED
    }

    private final Kind kind;
    private final String deviceCode;
    private String allowedOperations = "";

    public DeviceRequestException(Kind kind, String message) {
        this(kind, message, null);
    }

    public DeviceRequestException(Kind kind, String message, String deviceCode) {
        super(message);
        this.kind = kind;
        this.deviceCode = deviceCode;
    }

    /** A refused operation, with the operations the resource's model allows, e.g. "R", "RW", "E". */
    static DeviceRequestException notAllowed(String message, String allowedOperations) {
        DeviceRequestException e = new DeviceRequestException(Kind.NOT_ALLOWED, message);
        e.allowedOperations = allowedOperations;
        return e;
    }

    /** For {@link Kind#NOT_ALLOWED}: the LwM2M operations the resource allows, as letters R, W and E. */
    public String allowedOperations() {
        return allowedOperations;
    }

    public Kind kind() {
        return kind;
    }

    /** The CoAP response code the device answered, for {@link Kind#DEVICE_ERROR}, e.g. "NOT_FOUND". */
    public String deviceCode() {
        return deviceCode;
    }
}

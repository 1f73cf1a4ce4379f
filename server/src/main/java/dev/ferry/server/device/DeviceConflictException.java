package dev.ferry.server.device;

/** Provisioning would break a uniqueness rule: the endpoint or the PSK identity is already taken. */
public class DeviceConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeviceConflictException(String message) {
        super(message);
    }
}

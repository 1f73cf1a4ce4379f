package dev.ferry.server.firmware;

/** An image the repository will not take or publish, with the exact reason; the API answers 422. */
public final class FirmwareRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    public FirmwareRejectedException(RejectionReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}

package dev.ferry.image;

/** Bytes that are not a well-formed MCUboot image; {@link #reason()} says which rule they break. */
public final class ImageFormatException extends Exception {

    private final ImageFormatError reason;

    public ImageFormatException(ImageFormatError reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageFormatError reason() {
        return reason;
    }
}

package dev.ferry.image.sign;

/** Why raw firmware could not be turned into a signed image. */
public enum SignError {
    /** The input is shorter than the header area it should start with. */
    INPUT_SHORTER_THAN_HEADER,
    /** The header area of the input holds data, and {@code --pad-header} was not given. */
    HEADER_NOT_ZEROED,
    /** Image and boot trailer together do not fit the slot. */
    IMAGE_TOO_LARGE_FOR_SLOT,
    /** The image body exceeds what the 32-bit size field can describe. */
    IMAGE_TOO_LARGE
}

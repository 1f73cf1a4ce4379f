package dev.ferry.server.config;

/** A setting has a value the server cannot use; the message names the setting and what is allowed. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}

package dev.ferry.server.device;

/**
 * Filters and paging for listing devices. Null filters match everything; {@code search} is a substring of the
 * endpoint name. Like every name (see {@link Names}), all of them compare case exactly.
 */
public record DeviceQuery(String tag, String model, Boolean online, String firmwareVersion, String search,
        int offset, int limit) {

    public static final int MAX_LIMIT = 1000;
    public static final int DEFAULT_LIMIT = 100;
}

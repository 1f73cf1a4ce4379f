package dev.ferry.server.device;

/**
 * Filters and paging for listing devices. Null filters match everything; {@code search} is a case-insensitive
 * substring of the endpoint name.
 */
public record DeviceQuery(String tag, String model, Boolean online, String firmwareVersion, String search,
        int offset, int limit) {

    public static final int MAX_LIMIT = 1000;
    public static final int DEFAULT_LIMIT = 100;
}

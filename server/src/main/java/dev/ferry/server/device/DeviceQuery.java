package dev.ferry.server.device;

/**
 * Filters and paging for listing devices. Null filters match everything; {@code search} is a substring of the
 * endpoint name. Like every name (see {@link Names}), all of them compare case exactly. Devices are listed in
 * endpoint order; {@code after}, when not null, starts the list after that endpoint (a cursor from the previous
 * page, which costs the same on every page), and {@code offset} skips that many more.
 */
public record DeviceQuery(String tag, String model, Boolean online, String firmwareVersion, String search,
        int offset, int limit, String after) {

    public DeviceQuery(String tag, String model, Boolean online, String firmwareVersion, String search, int offset,
            int limit) {
        this(tag, model, online, firmwareVersion, search, offset, limit, null);
    }

    public static final int MAX_LIMIT = 1000;
    public static final int DEFAULT_LIMIT = 100;
}

package dev.ferry.server.firmware;

/** Filters for listing firmware; null means "any". */
public record FirmwareQuery(String model, Boolean published, String version, int offset, int limit) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
}

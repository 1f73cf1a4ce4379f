package dev.ferry.cli.api;

/** How a command prints what the API answered. */
public enum OutputFormat {
    /** Human tables and summaries. */
    table,
    /** The API's JSON, unchanged. */
    json,
    /** The API's JSON as YAML. */
    yaml
}

package dev.ferry.server.config;

/**
 * Every setting the server understands. Each one can come from the config file (its {@link #key()}), an
 * environment variable ({@link #envName()}) or a command-line flag ({@link #flag()}); flags win over the
 * environment, which wins over the file, which wins over the default.
 */
public enum Setting {
    BIND_ADDRESS("bind-address", "0.0.0.0", "Address the HTTP, CoAP and CoAPS listeners bind to."),
    HTTP_PORT("http.port", "8080", "TCP port of the HTTP API (0 picks a free port)."),
    HTTP_TLS("http.tls", "off",
            "on: the HTTP API (and HTTP firmware pulls) is served over HTTPS only, TLS 1.2 and 1.3. With"
                    + " http.tls.key and http.tls.certificate empty, a key and a self-signed certificate are made once"
                    + " in data-dir/https/ and the certificate's SHA-256 fingerprint is logged for pinning. off: plain"
                    + " HTTP."),
    HTTP_TLS_KEY("http.tls.key", "",
            "PEM file of the HTTPS private key (PKCS#8, or a traditional EC or RSA key); give it with"
                    + " http.tls.certificate. Empty: the generated key in data-dir."),
    HTTP_TLS_CERTIFICATE("http.tls.certificate", "",
            "PEM file of the HTTPS certificate chain, the server's own certificate first; it must match"
                    + " http.tls.key."),
    HTTP_TOKEN_RATE_LIMIT("http.token-rate-limit", "50",
            "Requests per second one API token may send on average; more are answered 429 with Retry-After."
                    + " 0: no limit."),
    HTTP_TOKEN_RATE_BURST("http.token-rate-burst", "100",
            "Requests one API token may send at once, above its rate, before the rate applies."),
    HTTP_AUTH_FAILURE_LIMIT("http.auth-failure-limit", "10",
            "Invalid API tokens one remote address may send per minute; past that, its requests that need a token"
                    + " are answered 429 with Retry-After until the minute is over."),
    COAP_PORT("coap.port", "5683", "UDP port of the plain CoAP LwM2M endpoint (0 picks a free port)."),
    COAPS_PORT("coaps.port", "5684", "UDP port of the CoAP-over-DTLS LwM2M endpoint (0 picks a free port)."),
    DATA_DIR("data-dir", "./data", "Directory for the embedded database, server keys and firmware blobs."),
    DATABASE_URL("database.url", "",
            "JDBC URL of the database; empty means the embedded H2 file database inside data-dir."),
    DATABASE_USER("database.user", "ferry", "Database user name."),
    DATABASE_PASSWORD("database.password", "", "Database password."),
    DATABASE_DURABILITY("database.durability", "process-crash",
            "What a write the server acknowledged survives, for the embedded database: process-crash (the server"
                    + " killed, kill -9 included) or power-loss (also an OS crash or power cut; each commit waits for"
                    + " the disk)."),
    TRUSTED_CERTIFICATES("dtls.trusted-certificates", "",
            "PEM file of further CA certificates that sign device X.509 certificates, trusted in addition to the"
                    + " fleet CA; empty: only the fleet CA."),
    CA_CERTIFICATE("ca.certificate", "",
            "PEM file of the operator's own fleet CA certificate (a CA certificate), used with ca.key to sign device"
                    + " certificates; empty: the server keeps its own CA in data-dir/ca, created on first start."),
    CA_KEY("ca.key", "", "PEM file of the private key of ca.certificate (unencrypted; keep it mode 0600)."),
    CA_DEVICE_CERTIFICATE_DAYS("ca.device-certificate-days", "3650",
            "Validity of the device certificates the fleet CA signs, in days (never beyond the CA's own)."),
    DTLS_HANDSHAKE_STALL_SECONDS("dtls.handshake-stall-seconds", "30",
            "A DTLS handshake whose PSK identity is known but which does not complete in this time is recorded as"
                    + " rejected (the device could not prove its key). A wrong key is recorded at once, when the"
                    + " device's Finished message does not decrypt."),
    REQUEST_TIMEOUT_MS("lwm2m.request-timeout-ms", "5000",
            "How long a read, write or execute waits for the device before answering 504."),
    READ_DEVICE_INFO("lwm2m.read-device-info", "true",
            "Read Object 3 (device) and Object 5 (firmware update) after each registration."),
    LWM2M_MIN_LIFETIME_SECONDS("lwm2m.min-lifetime-seconds", "10",
            "Shortest registration lifetime accepted from devices (registrations, updates) and for writes of the"
                    + " Server object's lifetime (1/x/1); shorter ones are refused."),
    LWM2M_MAX_LIFETIME_SECONDS("lwm2m.max-lifetime-seconds", "2592000",
            "Longest registration lifetime accepted, in seconds (default 30 days); longer ones are refused."),
    LWM2M_EXPIRY_GRACE_SECONDS("lwm2m.expiry-grace-seconds", "30",
            "Seconds a registration outlives its lifetime without an update before it expires and the device goes"
                    + " offline (an expired event): an update that retransmissions delayed still finds it."),
    REGISTRY_QUEUE_CAPACITY("registry.queue-capacity", "100000",
            "Registry changes that may wait for the database writer before new ones are dropped."),
    REGISTRY_BATCH_SIZE("registry.batch-size", "500", "Registry changes written in one transaction at most."),
    FIRMWARE_MAX_IMAGE_BYTES("firmware.max-image-bytes", "16777216",
            "Largest firmware image the repository accepts for upload, in bytes."),
    COAP_MAX_BLOCK_SIZE("coap.max-block-size", "1024",
            "Largest CoAP block the server sends (16, 32, ... 1024): Block2 downloads of /fw and Block1 pushes."
                    + " Devices may ask for smaller blocks."),
    COAP_RECEIVER_THREADS("coap.receiver-threads", "0",
            "Threads reading plain CoAP datagrams; each also processes what it reads. 0: one per CPU core."),
    COAP_SOCKET_BUFFER_BYTES("coap.socket-buffer-bytes", "4194304",
            "Receive and send buffer of the plain CoAP socket, in bytes; a large fleet downloading at once needs"
                    + " room for a burst of requests. The kernel caps it (net.core.rmem_max / wmem_max)."),
    PUBLIC_HOST("public-host", "",
            "Host name or address devices use to reach this server, written into package URIs for firmware pulls."
                    + " Empty: the bind address, or 127.0.0.1 when binding to all interfaces."),
    UPDATE_MAX_CONCURRENT_DOWNLOADS("update.max-concurrent-downloads", "100",
            "Update sessions downloading at once; more wait their turn."),
    UPDATE_DOWNLOAD_TIMEOUT_SECONDS("update.download-timeout-seconds", "1800",
            "A device that has not finished downloading after this long fails its update."),
    UPDATE_INSTALL_TIMEOUT_SECONDS("update.install-timeout-seconds", "600",
            "A device that has not come back with a verdict this long after being told to install fails."),
    UPDATE_MAX_ATTEMPTS("update.max-attempts", "3",
            "Attempts per update for transient failures (connection lost, no answer) before it fails."),
    UPDATE_RETRY_BACKOFF_SECONDS("update.retry-backoff-seconds", "5",
            "Wait before the first retry of an update; doubled for each further retry."),
    DOWNLOAD_CACHE_BYTES("distribution.cache-bytes", "67108864",
            "Memory for keeping published images whole while devices download them block by block."),
    DISTRIBUTION_PUBLIC_HTTP("distribution.public-http", "false",
            "true: anyone who knows an image's SHA-256 may download it over HTTP at /fw/<sha256>, and"
                    + " /ota/manifest.json lists the published images (for hobbyist set-ups and devices that poll on"
                    + " their own). false: an HTTP download needs the per-session download token the server writes"
                    + " into the package URI of a pull-http update, valid until that session ends."),
    BOOTSTRAP_ENABLED("bootstrap.enabled", "true",
            "Run the LwM2M bootstrap server, where devices of a production batch exchange the batch's credential"
                    + " for their own."),
    BOOTSTRAP_COAP_PORT("bootstrap.coap-port", "5783",
            "UDP port of the bootstrap server's plain CoAP endpoint (0 picks a free port)."),
    BOOTSTRAP_COAPS_PORT("bootstrap.coaps-port", "5784",
            "UDP port of the bootstrap server's CoAP-over-DTLS endpoint, where batch PSKs are accepted (0 picks a"
                    + " free port)."),
    BOOTSTRAP_LIFETIME_SECONDS("bootstrap.lifetime-seconds", "3600",
            "Registration lifetime written into the Server object (1/x/1) of devices the bootstrap server"
                    + " provisions; within lwm2m.min-lifetime-seconds and lwm2m.max-lifetime-seconds."),
    COMMANDS_DEFAULT_DEADLINE_SECONDS("commands.default-deadline-seconds", "86400",
            "How long a queued command waits for its device when it names no deadline; then it expires."),
    COMMANDS_MAX_DEADLINE_SECONDS("commands.max-deadline-seconds", "2592000",
            "Longest deadline a queued command may name (deadlineSeconds); longer ones are refused."),
    COMMANDS_JOB_CONCURRENCY("commands.job-concurrency", "100",
            "Devices of a fleet command job that have its command in flight at once, when the job names no"
                    + " concurrency."),
    METRICS_PUBLIC("metrics.public", "false",
            "Whether GET /metrics is open without an API token (for a Prometheus scraper on a trusted network);"
                    + " otherwise it needs a viewer token."),
    TELEMETRY_QUEUE_CAPACITY("telemetry.queue-capacity", "100000",
            "Telemetry values waiting to be written at most; when the writer falls that far behind, further values"
                    + " are dropped (counted in ferry_telemetry_points_dropped_total and logged)."),
    TELEMETRY_BATCH_SIZE("telemetry.batch-size", "2000", "Telemetry values written in one transaction at most."),
    TELEMETRY_RETENTION_DAYS("telemetry.retention-days", "30",
            "Days telemetry values are kept when their device model's profile names no retention."),
    EVENTS_STREAM_MAX_CLIENTS("events.stream.max-clients", "100",
            "Event stream clients (GET /api/v1/events/stream) served at once; more are answered 503."),
    EVENTS_STREAM_REPLAY_LIMIT("events.stream.replay-limit", "10000",
            "Most device events a reconnecting stream client is sent from the event log after its Last-Event-ID;"
                    + " a client that missed more is told so and gets the newest ones."),
    EVENTS_STREAM_HEARTBEAT_SECONDS("events.stream.heartbeat-seconds", "15",
            "Seconds between comment lines on an idle event stream, so that proxies keep it open."),
    WEBHOOKS_MAX_ATTEMPTS("webhooks.max-attempts", "10",
            "Attempts per webhook delivery; a delivery whose last attempt fails disables its webhook."),
    WEBHOOKS_RETRY_BASE_MS("webhooks.retry-base-ms", "5000",
            "Milliseconds before a failed webhook delivery is tried again; doubled for each further attempt."),
    WEBHOOKS_TIMEOUT_MS("webhooks.timeout-ms", "10000",
            "Milliseconds a webhook receiver has for one attempt, connecting and answering included."),
    WEBHOOKS_CONCURRENCY("webhooks.concurrency", "8", "Webhook deliveries sent at once, over all webhooks.");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public String envName() {
        return "FERRY_" + key.toUpperCase().replace('.', '_').replace('-', '_');
    }

    public String flag() {
        return "--" + key.replace('.', '-');
    }

    public static Setting byKey(String key) {
        for (Setting setting : values()) {
            if (setting.key.equals(key)) {
                return setting;
            }
        }
        return null;
    }
}

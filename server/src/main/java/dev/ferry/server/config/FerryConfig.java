package dev.ferry.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** Validated, typed view of the server's settings. Build it with {@link ConfigLoader}. */
public final class FerryConfig {
    private final Map<Setting, String> values;

    FerryConfig(Map<Setting, String> values) {
        this.values = new EnumMap<>(values);
        // Touch every typed accessor once so that a bad value fails at start-up, not at first use.
        httpPort();
        coapPort();
        coapsPort();
        requestTimeout();
        handshakeStallLimit();
        registryQueueCapacity();
        registryBatchSize();
        readDeviceInfo();
        lifetimeRange();
        expiryGrace();
        maxImageBytes();
        coapMaxBlockSize();
        coapReceiverThreads();
        coapSocketBufferBytes();
        downloadCacheBytes();
        updateSettings();
        databaseDurability();
        deviceCertificateValidity();
        publicHttp();
        httpTls();
        bootstrapEnabled();
        bootstrapCoapPort();
        bootstrapCoapsPort();
        bootstrapLifetimeSeconds();
        tokenRateLimit();
        tokenRateBurst();
        authFailureLimit();
        eventStreamMaxClients();
        eventStreamReplayLimit();
        eventStreamHeartbeat();
        webhookSettings();
    }

    /** Defaults only, with the given overrides; convenient for embedding and tests. */
    public static FerryConfig of(Map<Setting, String> overrides) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            values.put(setting, setting.defaultValue());
        }
        values.putAll(overrides);
        return new FerryConfig(values);
    }

    public String get(Setting setting) {
        return values.get(setting);
    }

    public String bindAddress() {
        return get(Setting.BIND_ADDRESS);
    }

    public int httpPort() {
        return port(Setting.HTTP_PORT);
    }

    public int coapPort() {
        return port(Setting.COAP_PORT);
    }

    public int coapsPort() {
        return port(Setting.COAPS_PORT);
    }

    public Path dataDir() {
        return Path.of(get(Setting.DATA_DIR));
    }

    public String databaseUrl() {
        String url = get(Setting.DATABASE_URL);
        if (url.isBlank()) {
            // Auto-close off: the server closes the database itself after flushing. WRITE_DELAY=0: H2 writes each
            // commit to the file before the commit returns, instead of up to 500 ms later from a background thread.
            return "jdbc:h2:" + databaseDurability().fileScheme() + dataDir().toAbsolutePath().resolve("ferry")
                    + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        }
        return url;
    }

    public dev.ferry.server.store.Durability databaseDurability() {
        String value = get(Setting.DATABASE_DURABILITY).trim();
        return dev.ferry.server.store.Durability.fromWireName(value).orElseThrow(() -> new ConfigException(
                Setting.DATABASE_DURABILITY.key() + " must be process-crash or power-loss, got '" + value + "'"));
    }

    /** Whether the database is the embedded H2 file in the data directory (no database.url given). */
    public boolean embeddedDatabase() {
        return get(Setting.DATABASE_URL).isBlank();
    }

    public String databaseUser() {
        return get(Setting.DATABASE_USER);
    }

    public String databasePassword() {
        return get(Setting.DATABASE_PASSWORD);
    }

    public Optional<Path> trustedCertificates() {
        String path = get(Setting.TRUSTED_CERTIFICATES);
        return path.isBlank() ? Optional.empty() : Optional.of(Path.of(path));
    }

    /** The operator's fleet CA certificate file; empty when the server keeps its own CA. */
    public Optional<Path> caCertificate() {
        String path = get(Setting.CA_CERTIFICATE);
        return path.isBlank() ? Optional.empty() : Optional.of(Path.of(path.trim()));
    }

    /** The private key file of {@link #caCertificate()}. */
    public Optional<Path> caKey() {
        String path = get(Setting.CA_KEY);
        return path.isBlank() ? Optional.empty() : Optional.of(Path.of(path.trim()));
    }

    public Duration deviceCertificateValidity() {
        return Duration.ofDays(positiveInt(Setting.CA_DEVICE_CERTIFICATE_DAYS, 1, 36_500));
    }

    public Duration requestTimeout() {
        return Duration.ofMillis(positiveInt(Setting.REQUEST_TIMEOUT_MS, 100, 600_000));
    }

    public Duration handshakeStallLimit() {
        return Duration.ofSeconds(positiveInt(Setting.DTLS_HANDSHAKE_STALL_SECONDS, 1, 600));
    }

    public boolean readDeviceInfo() {
        return bool(Setting.READ_DEVICE_INFO);
    }

    private boolean bool(Setting setting) {
        String value = get(setting).trim().toLowerCase();
        if (!value.equals("true") && !value.equals("false")) {
            throw new ConfigException(setting.key() + " must be true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    public dev.ferry.server.lwm2m.LifetimeRange lifetimeRange() {
        int min = positiveInt(Setting.LWM2M_MIN_LIFETIME_SECONDS, 1, Integer.MAX_VALUE);
        int max = positiveInt(Setting.LWM2M_MAX_LIFETIME_SECONDS, 1, Integer.MAX_VALUE);
        if (max < min) {
            throw new ConfigException(Setting.LWM2M_MAX_LIFETIME_SECONDS.key() + " (" + max + ") must not be below "
                    + Setting.LWM2M_MIN_LIFETIME_SECONDS.key() + " (" + min + ")");
        }
        return new dev.ferry.server.lwm2m.LifetimeRange(min, max);
    }

    public Duration expiryGrace() {
        return Duration.ofSeconds(positiveInt(Setting.LWM2M_EXPIRY_GRACE_SECONDS, 0, 3600));
    }

    public int registryQueueCapacity() {
        return positiveInt(Setting.REGISTRY_QUEUE_CAPACITY, 100, 10_000_000);
    }

    public int registryBatchSize() {
        return positiveInt(Setting.REGISTRY_BATCH_SIZE, 1, 10_000);
    }

    public int maxImageBytes() {
        return positiveInt(Setting.FIRMWARE_MAX_IMAGE_BYTES, 1024, 1 << 30);
    }

    /** Plain CoAP receiver threads; 0 in the configuration means one per CPU core. */
    public int coapReceiverThreads() {
        int threads = positiveInt(Setting.COAP_RECEIVER_THREADS, 0, 64);
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    public int coapSocketBufferBytes() {
        return positiveInt(Setting.COAP_SOCKET_BUFFER_BYTES, 8192, 1 << 30);
    }

    /** A power of two from 16 to 1024, as CoAP block sizes are. */
    public int coapMaxBlockSize() {
        int size = positiveInt(Setting.COAP_MAX_BLOCK_SIZE, 16, 1024);
        if (Integer.bitCount(size) != 1) {
            throw new ConfigException(Setting.COAP_MAX_BLOCK_SIZE.key()
                    + " must be a power of two: 16, 32, 64, 128, 256, 512 or 1024, got " + size);
        }
        return size;
    }

    /** Whether HTTP downloads of published images are open to anyone, without a session's download token. */
    public boolean publicHttp() {
        return bool(Setting.DISTRIBUTION_PUBLIC_HTTP);
    }

    /** HTTPS for the API, or empty for plain HTTP; the files are checked when the server starts. */
    public Optional<HttpTlsSettings> httpTls() {
        String mode = get(Setting.HTTP_TLS).trim().toLowerCase();
        if (!mode.equals("on") && !mode.equals("off")) {
            throw new ConfigException(Setting.HTTP_TLS.key() + " must be on or off, got '" + mode + "'");
        }
        String key = get(Setting.HTTP_TLS_KEY).trim();
        String certificate = get(Setting.HTTP_TLS_CERTIFICATE).trim();
        if (mode.equals("off")) {
            if (!key.isEmpty() || !certificate.isEmpty()) {
                throw new ConfigException((key.isEmpty() ? Setting.HTTP_TLS_CERTIFICATE : Setting.HTTP_TLS_KEY).key()
                        + " is set but " + Setting.HTTP_TLS.key() + " is off; set " + Setting.HTTP_TLS.key()
                        + "=on to serve HTTPS, or leave both files empty");
            }
            return Optional.empty();
        }
        if (key.isEmpty() != certificate.isEmpty()) {
            Setting missing = key.isEmpty() ? Setting.HTTP_TLS_KEY : Setting.HTTP_TLS_CERTIFICATE;
            throw new ConfigException(missing.key() + " is empty but " + (key.isEmpty() ? Setting.HTTP_TLS_CERTIFICATE
                    : Setting.HTTP_TLS_KEY).key() + " is set; give both PEM files, or neither to use a"
                    + " generated self-signed certificate");
        }
        return Optional.of(key.isEmpty() ? HttpTlsSettings.generatedIn(dataDir().resolve("https"))
                : HttpTlsSettings.files(Path.of(key), Path.of(certificate)));
    }

    public long downloadCacheBytes() {
        return positiveInt(Setting.DOWNLOAD_CACHE_BYTES, 0, Integer.MAX_VALUE);
    }

    public dev.ferry.server.update.UpdateSettings updateSettings() {
        return new dev.ferry.server.update.UpdateSettings(
                positiveInt(Setting.UPDATE_MAX_CONCURRENT_DOWNLOADS, 1, 100_000),
                Duration.ofSeconds(positiveInt(Setting.UPDATE_DOWNLOAD_TIMEOUT_SECONDS, 1, 7 * 24 * 3600)),
                Duration.ofSeconds(positiveInt(Setting.UPDATE_INSTALL_TIMEOUT_SECONDS, 1, 7 * 24 * 3600)),
                positiveInt(Setting.UPDATE_MAX_ATTEMPTS, 1, 100),
                Duration.ofSeconds(positiveInt(Setting.UPDATE_RETRY_BACKOFF_SECONDS, 0, 3600)),
                requestTimeout());
    }

    /** Deadlines of queued commands and the concurrency of fleet command jobs. */
    public dev.ferry.server.command.CommandSettings commandSettings() {
        int max = positiveInt(Setting.COMMANDS_MAX_DEADLINE_SECONDS, 1, 365 * 24 * 3600);
        int deflt = positiveInt(Setting.COMMANDS_DEFAULT_DEADLINE_SECONDS, 1, 365 * 24 * 3600);
        if (deflt > max) {
            throw new ConfigException(Setting.COMMANDS_DEFAULT_DEADLINE_SECONDS.key() + " (" + deflt
                    + ") must not exceed " + Setting.COMMANDS_MAX_DEADLINE_SECONDS.key() + " (" + max + ")");
        }
        return new dev.ferry.server.command.CommandSettings(Duration.ofSeconds(deflt), Duration.ofSeconds(max),
                positiveInt(Setting.COMMANDS_JOB_CONCURRENCY, 1, dev.ferry.server.command.CommandService.MAX_CONCURRENCY),
                requestTimeout());
    }

    /** The host devices reach the server at, for package URIs. */
    public String publicHost() {
        String host = get(Setting.PUBLIC_HOST).trim();
        if (!host.isEmpty()) {
            return host;
        }
        String bind = bindAddress();
        return bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
    }

    public boolean bootstrapEnabled() {
        String value = get(Setting.BOOTSTRAP_ENABLED).trim().toLowerCase();
        if (!value.equals("true") && !value.equals("false")) {
            throw new ConfigException(Setting.BOOTSTRAP_ENABLED.key() + " must be true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    public int bootstrapCoapPort() {
        return port(Setting.BOOTSTRAP_COAP_PORT);
    }

    public int bootstrapCoapsPort() {
        return port(Setting.BOOTSTRAP_COAPS_PORT);
    }

    /** The lifetime bootstrapped devices register with; must be one the LwM2M server accepts. */
    public int bootstrapLifetimeSeconds() {
        int lifetime = positiveInt(Setting.BOOTSTRAP_LIFETIME_SECONDS, 1, Integer.MAX_VALUE);
        dev.ferry.server.lwm2m.LifetimeRange range = lifetimeRange();
        if (lifetime < range.minSeconds() || lifetime > range.maxSeconds()) {
            throw new ConfigException(Setting.BOOTSTRAP_LIFETIME_SECONDS.key() + " (" + lifetime + ") must be within "
                    + Setting.LWM2M_MIN_LIFETIME_SECONDS.key() + " and " + Setting.LWM2M_MAX_LIFETIME_SECONDS.key()
                    + " (" + range.minSeconds() + " to " + range.maxSeconds() + ")");
        }
        return lifetime;
    }

    /** Requests per second per API token; 0 means no limit. */
    public int tokenRateLimit() {
        return positiveInt(Setting.HTTP_TOKEN_RATE_LIMIT, 0, 1_000_000);
    }

    public int tokenRateBurst() {
        return positiveInt(Setting.HTTP_TOKEN_RATE_BURST, 1, 10_000_000);
    }

    /** Invalid tokens per minute from one address before it must wait. */
    public int authFailureLimit() {
        return positiveInt(Setting.HTTP_AUTH_FAILURE_LIMIT, 1, 1_000_000);
    }

    public Path firmwareDir() {
        return dataDir().resolve("firmware");
    }

    private int port(Setting setting) {
        return positiveInt(setting, 0, 65535);
    }

    private int positiveInt(Setting setting, int min, int max) {
        String raw = get(setting).trim();
        try {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) {
                throw new ConfigException(
                        setting.key() + " must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(setting.key() + " must be a whole number, got '" + raw + "'");
        }
    }

    public dev.ferry.server.telemetry.TelemetryWriter.Settings telemetrySettings() {
        return new dev.ferry.server.telemetry.TelemetryWriter.Settings(
                positiveInt(Setting.TELEMETRY_QUEUE_CAPACITY, 1, 10_000_000),
                positiveInt(Setting.TELEMETRY_BATCH_SIZE, 1, 100_000));
    }

    public boolean metricsPublic() {
        return bool(Setting.METRICS_PUBLIC);
    }

    public int telemetryRetentionDays() {
        return positiveInt(Setting.TELEMETRY_RETENTION_DAYS, 1, 36_500);
    }

    public int eventStreamMaxClients() {
        return positiveInt(Setting.EVENTS_STREAM_MAX_CLIENTS, 1, 100_000);
    }

    public int eventStreamReplayLimit() {
        return positiveInt(Setting.EVENTS_STREAM_REPLAY_LIMIT, 1, 1_000_000);
    }

    public Duration eventStreamHeartbeat() {
        return Duration.ofSeconds(positiveInt(Setting.EVENTS_STREAM_HEARTBEAT_SECONDS, 1, 3600));
    }

    public dev.ferry.server.events.WebhookDispatcher.Settings webhookSettings() {
        return new dev.ferry.server.events.WebhookDispatcher.Settings(
                positiveInt(Setting.WEBHOOKS_MAX_ATTEMPTS, 1, 100),
                Duration.ofMillis(positiveInt(Setting.WEBHOOKS_RETRY_BASE_MS, 10, 3_600_000)),
                Duration.ofMillis(positiveInt(Setting.WEBHOOKS_TIMEOUT_MS, 100, 600_000)),
                positiveInt(Setting.WEBHOOKS_CONCURRENCY, 1, 1000));
    }
}

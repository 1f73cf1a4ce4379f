package dev.ferry.cli.api;

import dev.ferry.cli.UserInputException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * The server and token {@code ferry login} stored in {@code <config dir>/config} (mode 0600, as it holds a secret).
 * A command's own {@code --server}/{@code --token} win over {@code FERRY_SERVER}/{@code FERRY_TOKEN}, which win over
 * the file.
 */
public record ClientConfig(String server, String token) {

    public static final String FILE_NAME = "config";

    public static Path file(Environment environment) {
        return environment.configDirectory().resolve(FILE_NAME);
    }

    /** What the config file holds; both null when there is none. */
    public static ClientConfig stored(Environment environment) throws IOException {
        Path file = file(environment);
        if (!Files.exists(file)) {
            return new ClientConfig(null, null);
        }
        Properties properties = new Properties();
        try (Reader reader = new StringReader(Files.readString(file, StandardCharsets.UTF_8))) {
            properties.load(reader);
        }
        return new ClientConfig(blankToNull(properties.getProperty("server")),
                blankToNull(properties.getProperty("token")));
    }

    /** The server and token to use: flags, then environment, then the stored config; fails naming what is missing. */
    public static ClientConfig resolve(String serverFlag, String tokenFlag, Environment environment)
            throws IOException, UserInputException {
        ClientConfig stored = stored(environment);
        String server = first(serverFlag, environment.get("FERRY_SERVER"), stored.server());
        String token = first(tokenFlag, environment.get("FERRY_TOKEN"), stored.token());
        if (server == null) {
            throw new IllegalArgumentException("no server given: run 'ferry login --server URL --token-file FILE',"
                    + " set FERRY_SERVER, or pass --server");
        }
        if (token == null) {
            throw new IllegalArgumentException("no API token given: run 'ferry login', set FERRY_TOKEN, or pass"
                    + " --token");
        }
        return new ClientConfig(normalizeServer(server), token);
    }

    /** Writes the config file with owner-only permissions, replacing it whole (never a half-written file). */
    public void save(Environment environment) throws IOException {
        Path file = file(environment);
        Files.createDirectories(file.getParent());
        Properties properties = new Properties();
        properties.setProperty("server", server);
        properties.setProperty("token", token);
        StringWriter text = new StringWriter();
        properties.store(text, "ferry login: the server and API token ferry commands use");
        Path temporary = Files.createTempFile(file.getParent(), ".config", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temporary, text.toString(), StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /** {@code http://host:port} without a trailing slash; refuses anything that is not an http(s) URL. */
    public static String normalizeServer(String server) {
        String trimmed = server.trim().replaceAll("/+$", "");
        URI uri;
        try {
            uri = URI.create(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + server + "' is not a server URL; give e.g. http://127.0.0.1:8080");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + server + "' is not a server URL; give e.g. http://127.0.0.1:8080");
        }
        return trimmed;
    }

    private static String first(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}

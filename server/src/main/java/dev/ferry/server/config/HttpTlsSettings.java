package dev.ferry.server.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the HTTPS key and certificate come from: the operator's PEM files, or a key pair and self-signed certificate
 * the server makes once in {@code generatedDir}.
 */
public record HttpTlsSettings(Optional<Path> keyFile, Optional<Path> certificateFile, Path generatedDir) {

    static HttpTlsSettings files(Path key, Path certificate) {
        return new HttpTlsSettings(Optional.of(key), Optional.of(certificate), null);
    }

    static HttpTlsSettings generatedIn(Path dir) {
        return new HttpTlsSettings(Optional.empty(), Optional.empty(), dir);
    }

    public boolean generated() {
        return keyFile.isEmpty();
    }
}

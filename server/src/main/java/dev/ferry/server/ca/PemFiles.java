package dev.ferry.server.ca;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;

import dev.ferry.server.lwm2m.ServerIdentity;

/**
 * Reading and writing the CA's PEM files. Error messages name files and what is wrong, never key material. A key
 * file is created with mode 0600 before anything is written to it, and replaces the target in one atomic move.
 */
final class PemFiles {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private PemFiles() {
    }

    /** The first certificate in a PEM file. */
    static X509Certificate readCertificate(Path file) throws IOException, CertificateException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such file");
        }
        List<X509Certificate> certificates = ServerIdentity.readCertificates(file);
        return certificates.get(0);
    }

    /** A PKCS#8 ({@code PRIVATE KEY}) or SEC1/PKCS#1 ({@code EC PRIVATE KEY}, {@code RSA PRIVATE KEY}) key, unencrypted. */
    static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such file");
        }
        Object item;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            item = parser.readObject();
        } catch (IOException | RuntimeException e) {
            // Parser messages may quote the file's content, which is key material here.
            throw new IOException("the file is not PEM");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (item instanceof PEMKeyPair pair) {
            return converter.getKeyPair(pair).getPrivate();
        }
        if (item instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new IOException("the key is encrypted; give it unencrypted (e.g. 'openssl pkey -in encrypted.pem"
                    + " -out key.pem') and keep the file readable only by the server (mode 0600)");
        }
        throw new IOException(item == null ? "the file holds no PEM object"
                : "the file holds no private key (found " + item.getClass().getSimpleName() + ")");
    }

    static String privateKeyPem(PrivateKey key) throws IOException {
        return ServerIdentity.pem(new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    /** Creates the directory (mode 0700 where the file system has POSIX permissions). */
    static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (POSIX) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    /**
     * Writes through a temporary file that is flushed to disk and then moved over the target, so that a crash
     * leaves either the old file or the whole new one. {@code secret}: the file is mode 0600 from its creation on.
     */
    static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        if (POSIX) {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        } else {
            Files.createFile(temp);
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
            out.write(content.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

package dev.ferry.server.api;

import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.IPAddress;
import org.bouncycastle.util.io.pem.PemObject;

import dev.ferry.server.config.ConfigException;
import dev.ferry.server.config.HttpTlsSettings;
import dev.ferry.server.config.Setting;
import dev.ferry.server.lwm2m.ServerIdentity;
import dev.ferry.server.store.PrivateFiles;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * The HTTPS key and certificate chain of the API: the operator's PEM files (checked at start: readable, a key that
 * matches the certificate), or an EC P-256 key and a self-signed certificate made once in the data directory,
 * naming the host names devices and operators use. Only TLS 1.2 and 1.3 are offered.
 */
public final class HttpTls {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpTls.class);
    static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    static final String KEY_FILE = "key.pem";
    static final String CERTIFICATE_FILE = "certificate.pem";

    private final PrivateKey key;
    private final List<X509Certificate> chain;

    private HttpTls(PrivateKey key, List<X509Certificate> chain) {
        this.key = key;
        this.chain = List.copyOf(chain);
    }

    /**
     * Loads the operator's files, or the generated pair (made now if absent).
     *
     * @param hostNames what the generated certificate's SubjectAltNames name (host names or IP addresses)
     */
    public static HttpTls load(HttpTlsSettings settings, List<String> hostNames) {
        if (!settings.generated()) {
            Path keyFile = settings.keyFile().orElseThrow();
            Path certificateFile = settings.certificateFile().orElseThrow();
            PrivateKey key = readKey(keyFile, Setting.HTTP_TLS_KEY);
            List<X509Certificate> chain = readChain(certificateFile, Setting.HTTP_TLS_CERTIFICATE);
            if (!matches(key, chain.get(0))) {
                throw new ConfigException(Setting.HTTP_TLS_KEY.key() + ": the key in " + keyFile + " does not belong"
                        + " to the first certificate in " + certificateFile + " (" + Setting.HTTP_TLS_CERTIFICATE.key()
                        + "); give the key the certificate was issued for");
            }
            return new HttpTls(key, chain);
        }
        Path dir = settings.generatedDir();
        Path keyFile = dir.resolve(KEY_FILE);
        Path certificateFile = dir.resolve(CERTIFICATE_FILE);
        if (Files.exists(keyFile) && Files.exists(certificateFile)) {
            HttpTls loaded = new HttpTls(readKey(keyFile, Setting.HTTP_TLS), readChain(certificateFile, Setting.HTTP_TLS));
            warnOfMissingNames(loaded.certificate(), hostNames, dir);
            return loaded;
        }
        try {
            Files.createDirectories(dir);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            X509Certificate certificate = selfSigned(pair, hostNames);
            PrivateFiles.writeAtomically(keyFile, ServerIdentity.pem(new PemObject("PRIVATE KEY",
                    pair.getPrivate().getEncoded())).getBytes(StandardCharsets.US_ASCII), true);
            PrivateFiles.writeAtomically(certificateFile, ServerIdentity.pem(certificate).getBytes(StandardCharsets.US_ASCII),
                    false);
            return new HttpTls(pair.getPrivate(), List.of(certificate));
        } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new ConfigException(Setting.HTTP_TLS.key() + ": cannot create the HTTPS key and certificate in "
                    + dir + ": " + e.getMessage());
        }
    }

    /** The server's own certificate, the first of the chain. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** SHA-256 of the server certificate's DER encoding, as colon-separated upper-case hex (what browsers show). */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate().getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot hash the HTTPS certificate", e);
        }
    }

    /** Turns on TLS with this key and chain, TLS 1.2 and 1.3 only. */
    HttpServerOptions apply(HttpServerOptions options) {
        try {
            StringBuilder certificates = new StringBuilder();
            for (X509Certificate certificate : chain) {
                certificates.append(ServerIdentity.pem(certificate));
            }
            // Handed over as PKCS#8 whatever the file held, the one key encoding every TLS engine reads.
            PemKeyCertOptions pem = new PemKeyCertOptions()
                    .setKeyValue(Buffer.buffer(ServerIdentity.pem(new PemObject("PRIVATE KEY", key.getEncoded()))))
                    .setCertValue(Buffer.buffer(certificates.toString()));
            return options.setSsl(true).setKeyCertOptions(pem).setEnabledSecureTransportProtocols(PROTOCOLS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the HTTPS key and certificate", e);
        }
    }

    private static X509Certificate selfSigned(KeyPair pair, List<String> hostNames)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException, IOException {
        Set<String> names = new LinkedHashSet<>(hostNames);
        names.add("localhost");
        names.add("127.0.0.1");
        names.remove("0.0.0.0");
        names.remove("::");
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            String bare = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
            alternatives.add(IPAddress.isValid(bare) ? new GeneralName(GeneralName.iPAddress, bare)
                    : new GeneralName(GeneralName.dNSName, bare));
        }
        X500Name subject = new X500Name("CN=" + names.iterator().next().replaceAll("[,=+<>#;\"\\\\]", "_")
                + ",O=Ferry server (self-signed)");
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(subject,
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic())
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternatives.toArray(GeneralName[]::new)))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }

    /** A certificate made before public-host changed does not name the new host; clients checking names refuse it. */
    private static void warnOfMissingNames(X509Certificate certificate, List<String> hostNames, Path dir) {
        Set<String> named = new LinkedHashSet<>();
        try {
            if (certificate.getSubjectAlternativeNames() != null) {
                certificate.getSubjectAlternativeNames().forEach(name -> named.add(String.valueOf(name.get(1))));
            }
        } catch (java.security.cert.CertificateParsingException e) {
            return;
        }
        for (String host : hostNames) {
            String bare = host.replace("[", "").replace("]", "");
            if (!bare.equals("0.0.0.0") && !bare.equals("::") && !named.contains(bare)
                    && named.stream().noneMatch(n -> n.equalsIgnoreCase(bare))) {
                LOG.warn("The HTTPS certificate generated in {} does not name {}; clients that check host names"
                        + " refuse it. Delete that directory and restart to make one that does (clients that pinned"
                        + " the old fingerprint must pin the new one)", dir, bare);
            }
        }
    }

    private static PrivateKey readKey(Path file, Setting setting) {
        Object item;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            item = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw unreadable(setting, file, "a PEM private key", e);
        }
        if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new ConfigException(setting.key() + ": the private key in " + file + " is encrypted; give it"
                    + " unencrypted (e.g. openssl pkcs8 -topk8 -nocrypt) and protect the file with mode 0600");
        }
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (item instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo()); // the public half may be absent
            }
            if (item instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable(setting, file, "a usable PEM private key", e);
        }
        throw new ConfigException(setting.key() + ": " + file + " holds no PEM private key (PRIVATE KEY, EC PRIVATE"
                + " KEY or RSA PRIVATE KEY)");
    }

    private static List<X509Certificate> readChain(Path file, Setting setting) {
        try {
            return ServerIdentity.readCertificates(file);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw unreadable(setting, file, "a PEM certificate chain", e);
        }
    }

    private static ConfigException unreadable(Setting setting, Path file, String what, Exception e) {
        String reason = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage();
        return new ConfigException(setting.key() + ": cannot read " + what + " from " + file + ": " + reason);
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
        case "EC", "ECDSA" -> "SHA256withECDSA";
        case "RSA" -> "SHA256withRSA";
        default -> key.getAlgorithm(); // Ed25519, Ed448: the key algorithm names the signature
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an RSA key and an EC certificate
        }
    }
}

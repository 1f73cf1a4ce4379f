package dev.ferry.server.ca;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.config.ConfigException;
import dev.ferry.server.config.Setting;
import dev.ferry.server.lwm2m.ServerIdentity;

/**
 * The fleet CA: the key and certificate that sign device certificates. Created on first start in
 * {@code <data-dir>/ca/} (an EC P-256 key written with mode 0600, a self-signed CA certificate valid for 20 years)
 * and reused afterwards; or the operator's own CA, given as {@code ca.certificate} and {@code ca.key}. Devices
 * whose certificate it signed are trusted at the DTLS handshake.
 */
public final class FleetCa {
    private static final Logger LOG = LoggerFactory.getLogger(FleetCa.class);
    static final String DIR = "ca";
    static final String KEY_FILE = "fleet-ca-key.pem";
    static final String CERT_FILE = "fleet-ca-cert.pem";
    static final Duration VALIDITY = Duration.ofDays(20 * 365 + 5);

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final String source;

    private FleetCa(PrivateKey key, X509Certificate certificate, String source) {
        this.key = key;
        this.certificate = certificate;
        this.source = source;
    }

    /** The operator's CA when {@code ca.certificate} and {@code ca.key} are set, otherwise the one in the data dir. */
    public static FleetCa load(Optional<Path> certificateFile, Optional<Path> keyFile, Path dataDir) {
        if (certificateFile.isPresent() != keyFile.isPresent()) {
            Setting missing = certificateFile.isPresent() ? Setting.CA_KEY : Setting.CA_CERTIFICATE;
            Setting given = certificateFile.isPresent() ? Setting.CA_CERTIFICATE : Setting.CA_KEY;
            throw new ConfigException(missing.key() + " is empty but " + given.key() + " is set: give both the"
                    + " CA certificate and its private key (PEM files), or neither to let the server keep its own CA");
        }
        FleetCa ca = certificateFile.isPresent() ? provided(certificateFile.get(), keyFile.get())
                : loadOrCreate(dataDir);
        LOG.info("Fleet CA: {} ({}), valid until {}", ca.certificate.getSubjectX500Principal().getName(), ca.source,
                ca.certificate.getNotAfter().toInstant());
        return ca;
    }

    /** The CA kept in {@code <dataDir>/ca/}, created when neither file exists. */
    static FleetCa loadOrCreate(Path dataDir) {
        Path dir = dataDir.resolve(DIR);
        Path keyFile = dir.resolve(KEY_FILE);
        Path certFile = dir.resolve(CERT_FILE);
        boolean hasKey = Files.exists(keyFile);
        boolean hasCert = Files.exists(certFile);
        if (hasKey && hasCert) {
            try {
                return new FleetCa(PemFiles.readPrivateKey(keyFile), PemFiles.readCertificate(certFile),
                        "kept in " + dir);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot read the fleet CA in " + dir + ": " + e.getMessage(), e);
            }
        }
        if (hasKey || hasCert) {
            throw new IllegalStateException("the fleet CA in " + dir + " is incomplete: " + (hasKey ? certFile
                    : keyFile) + " is missing; restore it from a backup (a new CA would not trust the device"
                    + " certificates already issued), or remove the directory to start a new CA");
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            X509Certificate certificate = selfSigned(keys);
            PemFiles.createPrivateDirectory(dir);
            // The key first: a certificate without its key would be taken for a CA whose key was lost.
            PemFiles.writeAtomically(keyFile, PemFiles.privateKeyPem(keys.getPrivate()), true);
            PemFiles.writeAtomically(certFile, ServerIdentity.pem(certificate), false);
            LOG.info("Created the fleet CA in {}; back up {} (mode 0600): it signs every device certificate", dir,
                    keyFile);
            return new FleetCa(keys.getPrivate(), certificate, "created in " + dir);
        } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot create the fleet CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The operator's CA: the certificate must be a CA's, current, and match the key. */
    static FleetCa provided(Path certificateFile, Path keyFile) {
        X509Certificate certificate;
        try {
            certificate = PemFiles.readCertificate(certificateFile);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(Setting.CA_CERTIFICATE.key() + ": cannot read a PEM certificate from "
                    + certificateFile + ": " + e.getMessage());
        }
        String subject = certificate.getSubjectX500Principal().getName();
        if (certificate.getBasicConstraints() < 0) {
            throw new ConfigException(Setting.CA_CERTIFICATE.key() + ": " + subject + " in " + certificateFile
                    + " is not a CA certificate (its basic constraints do not say CA:TRUE)");
        }
        boolean[] usage = certificate.getKeyUsage();
        if (usage != null && !usage[5]) {
            throw new ConfigException(Setting.CA_CERTIFICATE.key() + ": " + subject + " in " + certificateFile
                    + " may not sign certificates (its key usage lacks keyCertSign)");
        }
        Date now = new Date();
        if (now.after(certificate.getNotAfter()) || now.before(certificate.getNotBefore())) {
            throw new ConfigException(Setting.CA_CERTIFICATE.key() + ": " + subject + " in " + certificateFile
                    + " is valid only from " + certificate.getNotBefore().toInstant() + " to "
                    + certificate.getNotAfter().toInstant());
        }
        PrivateKey key;
        try {
            key = PemFiles.readPrivateKey(keyFile);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(Setting.CA_KEY.key() + ": cannot read a PEM private key from " + keyFile + ": "
                    + e.getMessage());
        }
        if (!belongsTo(key, certificate.getPublicKey())) {
            throw new ConfigException(Setting.CA_KEY.key() + ": the private key in " + keyFile + " does not belong to"
                    + " the certificate in " + certificateFile + " (" + Setting.CA_CERTIFICATE.key() + ")");
        }
        return new FleetCa(key, certificate, "from " + certificateFile);
    }

    /** Whether the private key is the one of the public key: it signs a random challenge the public key verifies. */
    static boolean belongsTo(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            String algorithm = signatureAlgorithm(key);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
        case "EC", "ECDSA" -> "SHA256withECDSA";
        case "RSA" -> "SHA256withRSA";
        default -> throw new ConfigException(Setting.CA_KEY.key() + ": " + key.getAlgorithm()
                + " keys are not supported; use an EC or RSA key");
        };
    }

    private static X509Certificate selfSigned(KeyPair keys)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException, IOException {
        byte[] id = new byte[4];
        SecureRandom random = new SecureRandom();
        random.nextBytes(id);
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, "Ferry fleet CA " + HexFormat.of().formatHex(id)).build();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(127, random)
                .setBit(126), Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), name,
                keys.getPublic());
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        builder.addExtension(Extension.subjectKeyIdentifier, false,
                extensions.createSubjectKeyIdentifier(keys.getPublic()));
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The certificate as PEM, for factory tools and for the chain handed out with each device certificate. */
    public String certificatePem() {
        try {
            return ServerIdentity.pem(certificate);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the fleet CA certificate", e);
        }
    }

    /** Lowercase hex SHA-256 of the DER certificate, as {@code openssl x509 -fingerprint -sha256} shows it. */
    public String fingerprint() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chain a device certificate is handed out with: this CA's certificate. */
    public List<X509Certificate> chain() {
        return List.of(certificate);
    }

    /**
     * Signs a device certificate: subject {@code CN=<endpoint>}, not a CA, key usage digitalSignature, extended key
     * usage clientAuth (a DTLS client), valid from {@code notBefore} to {@code notAfter} or the CA's own end.
     */
    X509Certificate issue(String endpoint, PublicKey deviceKey, BigInteger serial, Instant notBefore,
            Instant notAfter) {
        Instant until = notAfter.isAfter(certificate.getNotAfter().toInstant()) ? certificate.getNotAfter().toInstant()
                : notAfter;
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, endpoint).build();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial,
                    Date.from(notBefore), Date.from(until), subject, deviceKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(deviceKey));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(certificate));
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(signatureAlgorithm(key)).build(key)));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException | IOException e) {
            throw new IllegalStateException("the fleet CA cannot sign a certificate for " + endpoint + ": "
                    + e.getMessage(), e);
        }
    }
}

package dev.ferry.server.testing;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemObject;

import dev.ferry.server.lwm2m.ServerIdentity;

/** Real keys and certificates for test devices: EC P-256 key pairs and a small CA. */
public final class Credentials {
    private Credentials() {
    }

    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, new SecureRandom());
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#10 certificate signing request for {@code subject} (e.g. "CN=meter-1"), signed with the key pair. */
    public static PKCS10CertificationRequest csr(String subject, KeyPair keys) {
        try {
            String algorithm = keys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic())
                    .build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The PEM form of a certificate, CSR or other object Bouncy Castle can write. */
    public static String pem(Object object) {
        try {
            if (object instanceof PKCS10CertificationRequest csr) {
                return ServerIdentity.pem(new PemObject("CERTIFICATE REQUEST", csr.getEncoded()));
            }
            if (object instanceof java.security.PrivateKey key) {
                return ServerIdentity.pem(new PemObject("PRIVATE KEY", key.getEncoded()));
            }
            return ServerIdentity.pem(object);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a PEM certificate. */
    public static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                    new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate authority that issues device certificates with CN = endpoint. */
    public record Authority(KeyPair keys, X509Certificate certificate) {
        public static Authority create(String name) {
            KeyPair keys = ecKeyPair();
            try {
                X500Name subject = new X500Name("CN=" + name);
                var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE, from(), until(), subject,
                        keys.getPublic());
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
                return new Authority(keys, certificate);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        public X509Certificate issue(String commonName, KeyPair deviceKeys) {
            try {
                var builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + certificate.getSubjectX500Principal()
                        .getName().substring(3)), new BigInteger(64, new SecureRandom()), from(), until(),
                        new X500Name("CN=" + commonName), deviceKeys.getPublic());
                return new JcaX509CertificateConverter().getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes the CA's private key as unencrypted PKCS#8 PEM, as an operator hands it to the server. */
        public Path writeKeyPem(Path directory) {
            try {
                Path file = directory.resolve("device-ca-key.pem");
                Files.writeString(file, pem(keys.getPrivate()));
                return file;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        public Path writePem(Path directory) {
            try {
                Path file = directory.resolve("device-ca.pem");
                Files.writeString(file, ServerIdentity.pem(certificate));
                return file;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Date from() {
        return Date.from(Instant.now().minus(Duration.ofDays(1)));
    }

    private static Date until() {
        return Date.from(Instant.now().plus(Duration.ofDays(30)));
    }
}

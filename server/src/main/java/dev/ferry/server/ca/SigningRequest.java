package dev.ferry.server.ca;

import java.io.IOException;
import java.io.StringReader;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.ca.CertificateRequestException.Kind;

/**
 * A device's PKCS#10 certificate signing request, checked: PEM, signed by the key it carries (so whoever sent it
 * holds that key), an EC P-256 key (what the server's DTLS cipher suites take), and CN = the endpoint. Only the
 * key is taken from it: the certificate's subject is {@code CN=<endpoint>} and requested extensions are ignored.
 */
record SigningRequest(PublicKey publicKey) {
    private static final Logger LOG = LoggerFactory.getLogger(SigningRequest.class);
    static final int MAX_PEM_CHARS = 16_000;
    private static final String EXAMPLE = "e.g. from 'openssl req -new -key device-key.pem -subj /CN=<endpoint>'";

    static SigningRequest check(String pem, String endpoint) {
        if (pem == null || pem.isBlank()) {
            throw invalid(endpoint, "csr is required: the device's PKCS#10 certificate signing request as PEM"
                    + " (-----BEGIN CERTIFICATE REQUEST-----), " + EXAMPLE);
        }
        if (pem.length() > MAX_PEM_CHARS) {
            throw invalid(endpoint, "csr is too long: at most " + MAX_PEM_CHARS + " characters of PEM");
        }
        PKCS10CertificationRequest csr = parse(pem, endpoint);
        SubjectPublicKeyInfo keyInfo = csr.getSubjectPublicKeyInfo();
        requireP256(keyInfo, endpoint);
        if (!signatureVerifies(csr, endpoint)) {
            throw invalid(endpoint, "csr signature does not verify with the public key the CSR carries: the"
                    + " request was altered, or not signed with the device's key");
        }
        String commonName = commonName(csr, endpoint);
        if (!commonName.equals(endpoint)) {
            throw new CertificateRequestException(Kind.SUBJECT_MISMATCH, endpoint, "csr subject CN is '"
                    + printable(commonName) + "' but the certificate is requested for device '" + endpoint
                    + "': the CN must be the endpoint name, which the server checks at every registration");
        }
        try {
            return new SigningRequest(new JcaPEMKeyConverter().getPublicKey(keyInfo));
        } catch (IOException e) {
            throw invalid(endpoint, "csr public key cannot be decoded");
        }
    }

    private static PKCS10CertificationRequest parse(String pem, String endpoint) {
        Object item;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            item = parser.readObject();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Unreadable CSR for {}", endpoint, e);
            throw invalid(endpoint, "csr is not a readable PEM certificate signing request: its base64 or DER"
                    + " content is damaged");
        }
        if (item == null) {
            throw invalid(endpoint, "csr holds no PEM object: expected -----BEGIN CERTIFICATE REQUEST-----, "
                    + EXAMPLE);
        }
        if (!(item instanceof PKCS10CertificationRequest csr)) {
            String what = item.getClass().getSimpleName();
            boolean key = what.contains("Key") || what.contains("PrivateKeyInfo");
            throw invalid(endpoint, "csr holds " + (key ? "a key" : "a " + what) + ", not a certificate signing"
                    + " request" + (key ? "; never send a device's private key: send a CSR signed with it" : ""));
        }
        return csr;
    }

    private static void requireP256(SubjectPublicKeyInfo keyInfo, String endpoint) {
        ASN1ObjectIdentifier algorithm = keyInfo.getAlgorithm().getAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
            String got;
            try {
                PublicKey key = new JcaPEMKeyConverter().getPublicKey(keyInfo);
                got = key instanceof RSAPublicKey rsa ? "an RSA " + rsa.getModulus().bitLength() + "-bit key"
                        : "a " + key.getAlgorithm() + " key";
            } catch (IOException | RuntimeException e) {
                got = "a key of algorithm " + algorithm.getId();
            }
            throw invalid(endpoint, "csr key must be EC P-256 (secp256r1 / prime256v1), the key the server's DTLS"
                    + " cipher suites (ECDHE-ECDSA) take; got " + got);
        }
        Object parameters = keyInfo.getAlgorithm().getParameters();
        if (!X9ObjectIdentifiers.prime256v1.equals(parameters) && !SECObjectIdentifiers.secp256r1.equals(parameters)) {
            throw invalid(endpoint, "csr key must be EC P-256 (secp256r1 / prime256v1); got an EC key on curve "
                    + curveName(parameters));
        }
    }

    private static String curveName(Object parameters) {
        if (parameters instanceof ASN1ObjectIdentifier oid) {
            String name = org.bouncycastle.asn1.x9.ECNamedCurveTable.getName(oid);
            return name == null ? oid.getId() : name;
        }
        return "with explicit parameters";
    }

    private static boolean signatureVerifies(PKCS10CertificationRequest csr, String endpoint) {
        try {
            // Through a JCA key: the JDK's providers know EC key factories by name, not by the CSR's algorithm OID.
            PublicKey key = new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
            return csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
        } catch (Exception e) {
            LOG.debug("CSR signature of {} cannot be checked", endpoint, e);
            return false;
        }
    }

    private static String commonName(PKCS10CertificationRequest csr, String endpoint) {
        RDN[] names = csr.getSubject().getRDNs(BCStyle.CN);
        if (names.length != 1 || names[0].isMultiValued()) {
            throw new CertificateRequestException(Kind.SUBJECT_MISMATCH, endpoint, "csr subject must hold exactly"
                    + " one CN, the endpoint name ('" + endpoint + "'); it holds " + names.length);
        }
        Object value = names[0].getFirst().getValue();
        return value instanceof ASN1String text ? text.getString() : IETFUtils.valueToString(names[0].getFirst().getValue());
    }

    private static String printable(String value) {
        String shown = value.length() > 130 ? value.substring(0, 130) + "..." : value;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static CertificateRequestException invalid(String endpoint, String message) {
        return new CertificateRequestException(Kind.INVALID_CSR, endpoint, message);
    }
}

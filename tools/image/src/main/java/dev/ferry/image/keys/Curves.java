package dev.ferry.image.keys;

import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;

/** The one curve MCUboot's ECDSA-P256 verifies on, kept named so keys encode with its OID. */
final class Curves {

    static final ECNamedDomainParameters P256 = new ECNamedDomainParameters(
            SECObjectIdentifiers.secp256r1, ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1));

    private Curves() {
    }
}

package dev.ferry.image;

import static dev.ferry.image.ImageFormatError.DUPLICATE_TLV;
import static dev.ferry.image.ImageFormatError.TLV_BAD_LENGTH;
import static dev.ferry.image.ImageFormatError.TLV_MUST_BE_PROTECTED;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Checks on TLVs the model interprets: their sizes (the C structs MCUboot copies them into),
 * where they may sit, and which may appear only once.
 */
final class TlvRules {

    private TlvRules() {
    }

    static void check(McubootImage image) throws ImageFormatException {
        Set<TlvType> seen = EnumSet.noneOf(TlvType.class);
        for (Tlv tlv : image.protectedTlvs()) {
            checkOne(tlv, true, seen);
        }
        for (Tlv tlv : image.unprotectedTlvs()) {
            checkOne(tlv, false, seen);
        }
    }

    private static void checkOne(Tlv tlv, boolean isProtected, Set<TlvType> seen) throws ImageFormatException {
        TlvType type = tlv.knownType().orElse(null);
        if (type == null) {
            return; // unknown TLVs are kept as they are and reported, never rejected
        }
        List<Integer> allowed = allowedLengths(type);
        if (!allowed.isEmpty() && !allowed.contains(tlv.length())) {
            throw new ImageFormatException(TLV_BAD_LENGTH, String.format(
                    "TLV %s at 0x%x is %d bytes but MCUboot requires %s",
                    type, tlv.offset(), tlv.length(), allowed.size() == 1 ? allowed.get(0) : "one of " + allowed));
        }
        if (!isProtected && type.mustBeProtected()) {
            throw new ImageFormatException(TLV_MUST_BE_PROTECTED, String.format(
                    "TLV %s at 0x%x is in the unprotected TLV area, where the signature does not cover it;"
                            + " MCUboot ignores it there; re-sign the image so it lands in the protected area",
                    type, tlv.offset()));
        }
        boolean unique = type == TlvType.SEC_CNT || type.isHash() || type == TlvType.SIG_PURE;
        if (unique && !seen.add(type)) {
            throw new ImageFormatException(DUPLICATE_TLV, String.format(
                    "TLV %s appears more than once (again at 0x%x), so its value is ambiguous", type, tlv.offset()));
        }
    }

    private static List<Integer> allowedLengths(TlvType type) {
        return switch (type) {
            case SHA256 -> List.of(32);
            case SHA384 -> List.of(48);
            case SHA512 -> List.of(64);
            case KEYHASH -> List.of(32, 48, 64);
            case SEC_CNT -> List.of(4);
            case DEPENDENCY -> List.of(ImageDependency.ENCODED_SIZE);
            case UUID_VID, UUID_CID -> List.of(16);
            case SIG_PURE -> List.of(1);
            default -> List.of();
        };
    }
}

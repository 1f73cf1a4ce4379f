package dev.ferry.cli.image;

import dev.ferry.image.ImageDependency;
import dev.ferry.image.ImageFlag;
import dev.ferry.image.McubootImage;
import dev.ferry.image.Tlv;
import dev.ferry.image.verify.ImageVerifier;
import dev.ferry.image.verify.VerificationResult;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code show} tells about an image, as ordered maps: rendered as JSON or as text. */
final class ImageReport {

    private ImageReport() {
    }

    static Map<String, Object> of(String file, McubootImage image) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", file);
        report.put("fileSize", image.imageLength() + image.trailingLength());
        report.put("version", image.version().toString());
        report.put("header", header(image));
        report.put("securityCounter", image.securityCounter().isPresent() ? image.securityCounter().getAsLong() : null);
        report.put("hash", image.hashTlv().map(t -> Map.of("algorithm", t.typeName(), "value", hex(t.value())))
                .orElse(null));
        VerificationResult hashCheck = ImageVerifier.checkHash(image);
        report.put("hashCheck", hashCheck.isOk() ? "OK" : hashCheck.failure().orElseThrow().name());
        report.put("keyHash", image.keyHash().map(ImageReport::hex).orElse(null));
        report.put("signatures", image.signatures().stream().map(Tlv::typeName).toList());
        report.put("pureSignature", image.isPureSignature());
        List<Map<String, Object>> dependencies = new ArrayList<>();
        for (ImageDependency dependency : image.dependencies()) {
            dependencies.add(ordered("imageId", dependency.imageId(),
                    "minimumVersion", dependency.minimumVersion().toString()));
        }
        report.put("dependencies", dependencies);
        List<Map<String, Object>> tlvs = new ArrayList<>();
        image.protectedTlvs().forEach(t -> tlvs.add(tlv("protected", t)));
        image.unprotectedTlvs().forEach(t -> tlvs.add(tlv("unprotected", t)));
        report.put("tlvs", tlvs);
        report.put("unknownTlvs", image.unknownTlvs().stream().map(Tlv::typeName).toList());
        report.put("imageLength", image.imageLength());
        report.put("trailingBytes", image.trailingLength());
        report.put("trailerMagic", image.hasTrailerMagic());
        return report;
    }

    private static Map<String, Object> header(McubootImage image) {
        return ordered(
                "loadAddress", image.header().loadAddress(),
                "headerSize", image.header().headerSize(),
                "imageSize", image.header().imageSize(),
                "protectedTlvSize", image.header().protectedTlvSize(),
                "flags", image.header().flags() & 0xffff_ffffL,
                "flagNames", image.flags().stream().map(ImageFlag::name).toList());
    }

    private static Map<String, Object> tlv(String area, Tlv tlv) {
        return ordered("area", area, "type", tlv.typeName(), "code", tlv.type(), "known", tlv.knownType().isPresent(),
                "offset", tlv.offset(), "length", tlv.length(), "value", hex(tlv.value()));
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}

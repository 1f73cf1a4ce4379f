package dev.ferry.cli.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ferry.cli.ExitCodes;
import dev.ferry.image.McubootImage;
import dev.ferry.image.Tlv;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry image show}: everything in an image's header and TLVs, for people or scripts. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Describe an image: header, version, security counter, hash, key hash and every TLV,"
                + " unknown ones included. Checks the hash; use verify to check the signature.")
final class ShowCommand implements Callable<Integer> {

    /** Longer TLV values are cut in the text output; --json always has them whole. */
    private static final int MAX_HEX_CHARS = 64;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of text.")
    private boolean json;

    @Parameters(paramLabel = "IMAGE", description = "Signed image.")
    private Path imageFile;

    @Override
    public Integer call() throws Exception {
        McubootImage image = McubootImage.parse(imageFile);
        Map<String, Object> report = ImageReport.of(imageFile.toString(), image);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            printText(out, image, report);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void printText(PrintWriter out, McubootImage image, Map<String, Object> report) {
        out.printf("MCUboot image %s (%d bytes)%n", report.get("file"), report.get("fileSize"));
        row(out, "version", image.version());
        row(out, "header size", String.format("0x%x", image.header().headerSize()));
        row(out, "image size", String.format("%d (0x%x)", image.header().imageSize(), image.header().imageSize()));
        row(out, "protected TLVs", image.header().protectedTlvSize() + " bytes");
        row(out, "load address", String.format("0x%08x", image.header().loadAddress()));
        row(out, "flags", image.flags().isEmpty() ? "none" : image.flags());
        row(out, "security counter", image.securityCounter().isPresent() ? image.securityCounter().getAsLong() : "none");
        row(out, "hash", image.hashTlv().map(t -> t.typeName() + " " + ImageReport.hex(t.value())).orElse("none")
                + " (" + report.get("hashCheck") + ")");
        row(out, "key hash", image.keyHash().map(ImageReport::hex).orElse("none"));
        List<?> signatures = (List<?>) report.get("signatures");
        row(out, "signatures", signatures.isEmpty() ? "none" : String.join(", ", signatures.stream().map(Object::toString).toList()));
        image.dependencies().forEach(d -> row(out, "depends on", d));
        out.println("  TLVs:");
        image.protectedTlvs().forEach(t -> tlvRow(out, "protected", t));
        image.unprotectedTlvs().forEach(t -> tlvRow(out, "unprotected", t));
        if (!image.unknownTlvs().isEmpty()) {
            row(out, "unknown TLVs", image.unknownTlvs().stream().map(Tlv::typeName).toList() + " (kept as they are)");
        }
        row(out, "after TLVs", image.trailingLength() + " bytes"
                + (image.hasTrailerMagic() ? ", ends with the boot trailer magic" : ""));
    }

    private static void row(PrintWriter out, String label, Object value) {
        out.printf("  %-18s %s%n", label, value);
    }

    private static void tlvRow(PrintWriter out, String area, Tlv tlv) {
        String hex = ImageReport.hex(tlv.value());
        if (hex.length() > MAX_HEX_CHARS) {
            hex = hex.substring(0, MAX_HEX_CHARS) + "...";
        }
        out.printf("    %-11s %-12s %5d  %s%n", area, tlv.typeName(), tlv.length(), hex);
    }
}

package dev.ferry.cli.image;

import dev.ferry.cli.ExitCodes;
import dev.ferry.image.ImageDependency;
import dev.ferry.image.ImageVersion;
import dev.ferry.image.McubootImage;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.keys.KeyPem;
import dev.ferry.image.sign.ImageSigner;
import dev.ferry.image.sign.PublicKeyFormat;
import dev.ferry.image.sign.SignOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry image sign}: raw firmware in, signed MCUboot image out; options as imgtool's. */
@Command(name = "sign", sortOptions = false,
        description = "Sign raw firmware (a .bin) into an MCUboot image. Options and output match imgtool sign"
                + " for unencrypted, uncompressed images.")
final class SignCommand implements Callable<Integer> {

    private static final Pattern DEPENDENCY = Pattern.compile("\\(\\s*(\\d+)\\s*,\\s*([0-9.+]+)\\s*\\)");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Not the standard help mixin: its -V/--version would clash with imgtool's -v/--version. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    private boolean help;

    @Option(names = {"-k", "--key"}, paramLabel = "FILE",
            description = "Private signing key (PEM). Without it the image carries only its hash.")
    private Path key;

    @Option(names = {"-v", "--version"}, required = true, paramLabel = "VERSION",
            description = "Image version major.minor.revision+build, e.g. 1.2.3+4.")
    private String version;

    @Option(names = {"-H", "--header-size"}, required = true, paramLabel = "SIZE", converter = BasedNumber.class,
            description = "Size of the header area, e.g. 0x200 (CONFIG_ROM_START_OFFSET in Zephyr).")
    private long headerSize;

    @Option(names = {"-S", "--slot-size"}, required = true, paramLabel = "SIZE", converter = BasedNumber.class,
            description = "Size of the slot; image and trailer must fit in it.")
    private long slotSize;

    @Option(names = "--pad-header", description = "Prepend the header area instead of expecting a zeroed one.")
    private boolean padHeader;

    @Option(names = {"-s", "--security-counter"}, paramLabel = "N|auto",
            description = "Security counter for rollback protection; 'auto' derives it from the version.")
    private String securityCounter;

    @Option(names = "--pad", description = "Pad the image to the slot size and write the trailer magic.")
    private boolean pad;

    @Option(names = "--confirm", description = "Mark the image confirmed so it is not reverted (implies --pad).")
    private boolean confirm;

    @Option(names = "--align", paramLabel = "N", description = "Flash write alignment: 1, 2, 4, 8, 16 or 32 (default 1).")
    private int align = 1;

    @Option(names = "--max-align", paramLabel = "N", description = "Largest write alignment of both slots: 8, 16 or 32.")
    private int maxAlign;

    @Option(names = {"-M", "--max-sectors"}, paramLabel = "N", description = "Sectors the swap status covers (default 128).")
    private int maxSectors = SignOptions.DEFAULT_MAX_SECTORS;

    @Option(names = "--overwrite-only", description = "Size the trailer for overwrite-only upgrades.")
    private boolean overwriteOnly;

    @Option(names = {"-R", "--erased-val"}, paramLabel = "0|0xff", converter = BasedNumber.class,
            description = "Value of erased flash, used for padding (default 0xff).")
    private long erasedValue = 0xff;

    @Option(names = {"-L", "--load-addr"}, paramLabel = "ADDR", converter = BasedNumber.class,
            description = "Load the image into RAM at ADDR.")
    private long loadAddress;

    @Option(names = {"-F", "--rom-fixed"}, paramLabel = "ADDR", converter = BasedNumber.class,
            description = "Flash address the image is built for.")
    private long romFixed;

    @Option(names = "--non-bootable", description = "Mark the image non-bootable.")
    private boolean nonBootable;

    @Option(names = "--public-key-format", paramLabel = "hash|full",
            description = "Name the key by its hash (default) or embed it in full.")
    private String publicKeyFormat = "hash";

    @Option(names = {"-d", "--dependencies"}, paramLabel = "DEPS",
            description = "Dependencies on other images: \"(ID,VERSION), ...\", e.g. \"(1,2.0.0)\".")
    private String dependencies;

    @Parameters(index = "0", paramLabel = "INFILE", description = "Raw firmware (.bin).")
    private Path input;

    @Parameters(index = "1", paramLabel = "OUTFILE", description = "Where to write the signed image.")
    private Path output;

    @Override
    public Integer call() throws Exception {
        SignOptions options = options();
        ImageSigningKey signingKey = key == null ? null : KeyPem.readSigningKey(key);
        byte[] signed = new ImageSigner().sign(Files.readAllBytes(input), options, signingKey);
        Files.write(output, signed);
        McubootImage image = McubootImage.parse(signed);
        spec.commandLine().getOut().printf("wrote %s: version %s, %d bytes, %s%n", output, image.version(),
                signed.length, signingKey == null ? "unsigned (hash only)" : "signed with " + signingKey.publicKey());
        return ExitCodes.OK;
    }

    private SignOptions options() {
        SignOptions.Builder builder = SignOptions.builder(ImageVersion.parse(version),
                        BasedNumber.toInt(headerSize, "header size"))
                .slotSize(BasedNumber.toInt(slotSize, "slot size"))
                .padHeader(padHeader).pad(pad).confirm(confirm)
                .align(align).maxAlign(maxAlign).maxSectors(maxSectors).overwriteOnly(overwriteOnly)
                .erasedValue((int) erasedValue).loadAddress(loadAddress).romFixedAddress(romFixed)
                .nonBootable(nonBootable).publicKeyFormat(publicKeyFormat());
        if (securityCounter != null) {
            if (securityCounter.equalsIgnoreCase("auto")) {
                builder.securityCounterFromVersion();
            } else {
                builder.securityCounter(BasedNumber.parse(securityCounter));
            }
        }
        if (dependencies != null) {
            parseDependencies(builder);
        }
        return builder.build();
    }

    private PublicKeyFormat publicKeyFormat() {
        return switch (publicKeyFormat) {
            case "hash" -> PublicKeyFormat.HASH;
            case "full" -> PublicKeyFormat.FULL;
            default -> throw new IllegalArgumentException(
                    "--public-key-format must be 'hash' or 'full', not '" + publicKeyFormat + "'");
        };
    }

    private void parseDependencies(SignOptions.Builder builder) {
        Matcher m = DEPENDENCY.matcher(dependencies);
        int found = 0;
        while (m.find()) {
            builder.dependency(new ImageDependency(Integer.parseInt(m.group(1)), ImageVersion.parse(m.group(2))));
            found++;
        }
        if (found == 0) {
            throw new IllegalArgumentException("dependencies '" + dependencies
                    + "' are not in the form \"(ID,VERSION), ...\", e.g. \"(1,2.0.0)\"");
        }
    }
}

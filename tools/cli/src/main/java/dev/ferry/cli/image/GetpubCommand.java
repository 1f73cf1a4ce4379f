package dev.ferry.cli.image;

import dev.ferry.cli.ExitCodes;
import dev.ferry.image.keys.ImagePublicKey;
import dev.ferry.image.keys.KeyFormatException;
import dev.ferry.image.keys.KeyPem;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry image getpub}: the public key for the bootloader, in imgtool's exact formats. */
@Command(name = "getpub", mixinStandardHelpOptions = true,
        description = "Print the public key of KEY: as a C array to build into MCUboot (the default, identical"
                + " to imgtool getpub), as PEM for the Ferry server's trusted keys, or as raw DER.")
final class GetpubCommand implements Callable<Integer> {

    enum Encoding { LANG_C, PEM, RAW }

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-k", "--key"}, required = true, paramLabel = "FILE", description = "Private or public key (PEM).")
    private Path key;

    @Option(names = {"-e", "--encoding"}, paramLabel = "ENCODING", converter = EncodingConverter.class,
            description = "lang-c (default), pem or raw.")
    private Encoding encoding = Encoding.LANG_C;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    private Path output;

    @Override
    public Integer call() throws IOException, KeyFormatException {
        ImagePublicKey publicKey = KeyPem.readPublicKey(key);
        byte[] content = switch (encoding) {
            case LANG_C -> CArray.publicKey(publicKey).getBytes(StandardCharsets.US_ASCII);
            case PEM -> KeyPem.publicKeyPem(publicKey).getBytes(StandardCharsets.US_ASCII);
            case RAW -> publicKey.mcubootEncoding();
        };
        if (output != null) {
            Files.write(output, content);
        } else if (encoding == Encoding.RAW) {
            OutputStream raw = System.out;
            raw.write(content);
            raw.flush();
        } else {
            PrintWriter out = spec.commandLine().getOut();
            out.print(new String(content, StandardCharsets.US_ASCII));
            out.flush();
        }
        return ExitCodes.OK;
    }

    static final class EncodingConverter implements CommandLine.ITypeConverter<Encoding> {
        @Override
        public Encoding convert(String value) {
            return switch (value) {
                case "lang-c" -> Encoding.LANG_C;
                case "pem" -> Encoding.PEM;
                case "raw" -> Encoding.RAW;
                default -> throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not an encoding; use lang-c, pem or raw");
            };
        }
    }
}

package dev.ferry.cli.image;

import dev.ferry.cli.ExitCodes;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.keys.KeyPem;
import dev.ferry.image.keys.KeyType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry image keygen}: a new signing key, written as imgtool writes it (PKCS#8 PEM). */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Generate a signing key and write it as an unencrypted PKCS#8 PEM file, as imgtool does."
                + " Keep it secret: whoever holds it can sign firmware your devices accept.")
final class KeygenCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-t", "--type"}, required = true, paramLabel = "TYPE",
            description = "Key type: ecdsa-p256, ed25519, rsa-2048 or rsa-3072.")
    private String type;

    @Option(names = {"-o", "--output", "-k", "--key"}, required = true, paramLabel = "FILE",
            description = "Where to write the private key (-k/--key as in imgtool).")
    private Path output;

    @Option(names = "--force", description = "Overwrite FILE if it exists. By default an existing key is never replaced.")
    private boolean force;

    @Override
    public Integer call() throws IOException {
        KeyType keyType = KeyType.fromCliName(type).orElseThrow(() -> new IllegalArgumentException(
                "unknown key type '" + type + "'; use one of: " + KeyType.cliNames()));
        ImageSigningKey key = ImageSigningKey.generate(keyType, new SecureRandom());
        write(KeyPem.privateKeyPem(key));
        spec.commandLine().getOut().printf("wrote %s %s (key hash %s)%n", keyType, output,
                HexFormat.of().formatHex(key.publicKey().keyHash()));
        return ExitCodes.OK;
    }

    private void write(String pem) throws IOException {
        if (Files.exists(output) && !force) {
            throw new FileAlreadyExistsException(output.toString());
        }
        Files.deleteIfExists(output);
        try {
            // Owner-only from the first byte, so the secret is never readable by others.
            Files.createFile(output, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(output);
        }
        Files.writeString(output, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }
}

package dev.ferry.cli.image;

import dev.ferry.cli.ExitCodes;
import dev.ferry.image.McubootImage;
import dev.ferry.image.keys.ImagePublicKey;
import dev.ferry.image.keys.KeyPem;
import dev.ferry.image.verify.ImageVerifier;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.image.verify.VerificationResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry image verify}: would MCUboot, holding these keys, boot this image? */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check an image's hash and its signature against trusted keys, as MCUboot does at boot."
                + " Without --key only the hash is checked.")
final class VerifyCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = {"-k", "--key"}, paramLabel = "FILE",
            description = "A trusted key (public or private PEM); repeat for several.")
    private List<Path> keys = new ArrayList<>();

    @Parameters(paramLabel = "IMAGE", description = "Signed image.")
    private Path imageFile;

    @Override
    public Integer call() throws Exception {
        McubootImage image = McubootImage.parse(imageFile);
        List<ImagePublicKey> trusted = new ArrayList<>();
        for (Path key : keys) {
            trusted.add(KeyPem.readPublicKey(key));
        }
        VerificationResult result = keys.isEmpty()
                ? ImageVerifier.checkHash(image)
                : new ImageVerifier(TrustedKeys.of(trusted)).verify(image);
        if (!result.isOk()) {
            spec.commandLine().getErr().printf("%s: rejected (%s): %s%n", imageFile,
                    result.failure().orElseThrow(), result.message());
            return ExitCodes.REFUSED;
        }
        spec.commandLine().getOut().printf("%s: OK, version %s: %s%n", imageFile, image.version(),
                keys.isEmpty() ? result.message() + " (hash only: no --key given, signature not checked)"
                        : result.message());
        return ExitCodes.OK;
    }
}

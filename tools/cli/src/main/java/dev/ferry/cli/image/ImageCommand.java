package dev.ferry.cli.image;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ferry image}: MCUboot keys and images, compatible with MCUboot's imgtool. */
@Command(name = "image",
        mixinStandardHelpOptions = true,
        description = "Create keys, sign, verify and inspect MCUboot firmware images (imgtool compatible).",
        subcommands = {KeygenCommand.class, GetpubCommand.class, SignCommand.class, VerifyCommand.class,
            ShowCommand.class})
public final class ImageCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

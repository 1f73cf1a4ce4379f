package dev.ferry.cli;

import dev.ferry.cli.api.ApiRefusedException;
import dev.ferry.cli.api.ServerUnreachableException;
import dev.ferry.image.ImageFormatException;
import dev.ferry.image.keys.KeyFormatException;
import dev.ferry.image.sign.SignException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Turns every failure into a message on stderr and an exit code ({@link ExitCodes}); stack traces are never shown. */
final class ErrorReporter implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
        String prefix = commandLine.getCommandSpec().qualifiedName() + ": ";
        if (e instanceof IllegalArgumentException) {
            commandLine.getErr().println(prefix + "error: " + e.getMessage());
            commandLine.getErr().println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        }
        if (e instanceof ApiRefusedException refused) {
            commandLine.getErr().println(prefix + refused.getMessage());
            return ExitCodes.REFUSED;
        }
        if (e instanceof ServerUnreachableException unreachable) {
            commandLine.getErr().println(prefix + "error: " + unreachable.getMessage());
            return ExitCodes.UNREACHABLE;
        }
        commandLine.getErr().println(prefix + "error: " + describe(e));
        return ExitCodes.REFUSED;
    }

    static int usageError(ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: " + e.getMessage());
        commandLine.getErr().println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
        return ExitCodes.USAGE;
    }

    private static String describe(Exception e) {
        if (e instanceof ImageFormatException f) {
            return "invalid image (" + f.reason() + "): " + f.getMessage();
        }
        if (e instanceof KeyFormatException k) {
            return "unusable key (" + k.reason() + "): " + k.getMessage();
        }
        if (e instanceof SignException s) {
            return "cannot sign (" + s.reason() + "): " + s.getMessage();
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file: " + n.getFile();
        }
        if (e instanceof FileAlreadyExistsException x) {
            return x.getFile() + " already exists; choose another name or pass --force to overwrite it";
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof IOException) {
            return "I/O error: " + e.getMessage();
        }
        if (e instanceof UserInputException) {
            return e.getMessage();
        }
        return "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage()
                + " (this is a bug in ferry; please report it with the command line you ran)";
    }
}

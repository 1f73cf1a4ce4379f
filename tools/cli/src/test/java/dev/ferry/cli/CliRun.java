package dev.ferry.cli;

import dev.ferry.cli.api.Environment;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** One run of the {@code ferry} command line, with what it printed and its exit code. */
public record CliRun(int exitCode, String out, String err) {

    /** The imgtool reference files kept with the image library's tests. */
    static final Path VECTORS = Path.of("../image/src/test/resources/imgtool-vectors").toAbsolutePath().normalize();

    /** A config directory of the tests' own: no run of a test reads or writes the user's ~/.config/ferry. */
    private static final Path NO_CONFIG = emptyDirectory();

    /** Runs {@code ferry} with no environment but an empty config directory, no stdin and no terminal. */
    public static CliRun ferry(String... args) {
        return ferry(Map.of("XDG_CONFIG_HOME", NO_CONFIG.toString()), "", args);
    }

    /** Runs {@code ferry} with exactly these environment variables and {@code stdin}, without a terminal. */
    public static CliRun ferry(Map<String, String> variables, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Environment environment = new Environment(variables,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), false);
        int code = FerryCli.run(environment, new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    static String vector(String name) {
        return VECTORS.resolve(name).toString();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }

    private static Path emptyDirectory() {
        try {
            Path dir = Files.createTempDirectory("ferry-cli-test-config");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.ferry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** One run of the {@code ferry} command line, with what it printed and its exit code. */
record CliRun(int exitCode, String out, String err) {

    /** The imgtool reference files kept with the image library's tests. */
    static final Path VECTORS = Path.of("../image/src/test/resources/imgtool-vectors").toAbsolutePath().normalize();

    static CliRun ferry(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FerryCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    static String vector(String name) {
        return VECTORS.resolve(name).toString();
    }
}

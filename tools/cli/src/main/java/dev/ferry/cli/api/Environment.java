package dev.ferry.cli.api;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a run of {@code ferry} takes from outside its command line: environment variables, standard input and
 * whether it draws on a terminal. Tests give their own, so that no test reads or writes the user's real config.
 */
public record Environment(Map<String, String> variables, InputStream stdin, boolean terminal) {

    public static Environment system() {
        return new Environment(System.getenv(), System.in, System.console() != null);
    }

    public String get(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** {@code $XDG_CONFIG_HOME/ferry}, else {@code ~/.config/ferry}. */
    public Path configDirectory() {
        String xdg = get("XDG_CONFIG_HOME");
        if (xdg != null) {
            return Path.of(xdg, "ferry");
        }
        String home = get("HOME");
        return Path.of(home != null ? home : System.getProperty("user.home"), ".config", "ferry");
    }
}

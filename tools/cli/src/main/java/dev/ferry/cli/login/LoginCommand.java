package dev.ferry.cli.login;

import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.ApiRefusedException;
import dev.ferry.cli.api.ClientConfig;
import dev.ferry.cli.api.Durations;
import dev.ferry.cli.api.Environment;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Stores the server and API token the other commands use, once the server accepted the token. */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Store the server URL and API token for later commands in $XDG_CONFIG_HOME/ferry/config"
                + " (~/.config/ferry/config), readable by you only (mode 0600).",
                "The token is checked against the server first; a token it does not accept is not stored."},
        footer = {"", "Examples:", "  ferry login --server http://127.0.0.1:8080 --token-file data/admin.token",
                "  pass show ferry/ci | ferry login --server https://ferry.example.com --token -", "",
                "FERRY_SERVER and FERRY_TOKEN, and each command's --server and --token, override what is stored."})
public final class LoginCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "The server, e.g."
            + " http://127.0.0.1:8080.")
    private String server;

    @ArgGroup(multiplicity = "1")
    private TokenSource source;

    static final class TokenSource {
        @Option(names = "--token-file", paramLabel = "FILE", description = "Read the token from FILE (e.g. the"
                + " server's <data-dir>/admin.token).")
        Path file;

        @Option(names = "--token", paramLabel = "TOKEN|-", description = "The token; '-' reads it from standard"
                + " input (keeps it out of the shell history).")
        String value;
    }

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "30s", converter = Durations.class,
            description = "Timeout of the check against the server (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Override
    public Integer call() throws Exception {
        Environment environment = ((ApiOptions.EnvironmentHolder) spec.root().userObject()).environment();
        String token = readToken(environment);
        ClientConfig config = new ClientConfig(ClientConfig.normalizeServer(server), token);
        ApiClient client = new ApiClient(config.server(), token, timeout);
        String role = "";
        try {
            client.get("/api/v1/devices?limit=1");
        } catch (ApiRefusedException e) {
            if (e.status() != 403) {
                throw e; // 401: unknown, revoked or expired token; nothing is stored
            }
            role = " (a token of limited role: the device list is not open to it)";
        }
        config.save(environment);
        spec.commandLine().getOut().printf("Logged in to %s%s; stored in %s%n", config.server(), role,
                ClientConfig.file(environment));
        return ExitCodes.OK;
    }

    private String readToken(Environment environment) throws IOException {
        String token;
        if (source.file != null) {
            token = Files.readString(source.file, StandardCharsets.UTF_8);
        } else if (source.value.equals("-")) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(environment.stdin(),
                    StandardCharsets.UTF_8));
            String line = reader.readLine();
            token = line == null ? "" : line;
        } else {
            token = source.value;
        }
        token = token.strip();
        if (token.isEmpty() || token.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(token.isEmpty() ? "the token is empty"
                    : "the token holds white space; give the token alone, e.g. ferry_...");
        }
        return token;
    }
}

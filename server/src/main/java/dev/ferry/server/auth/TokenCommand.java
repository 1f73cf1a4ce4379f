package dev.ferry.server.auth;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.ferry.server.config.ConfigException;
import dev.ferry.server.config.ConfigLoader;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry-server token create --role admin [--name N] [--device-tag T] [--expires-in-seconds S]
 * [--data-dir DIR | --config FILE]}: makes an API token in the server's database and prints its value, alone on
 * standard output, once. Works with the server stopped (it opens the database itself) and running (the embedded
 * database then answers through the running server, which accepts the token on its next request).
 */
@Command(name = "ferry-server token", description = "Manage API tokens in the server's database.", mixinStandardHelpOptions = true,
        subcommands = TokenCommand.Create.class)
public final class TokenCommand {

    /** Runs {@code token ...} and returns the exit status. */
    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        quietLogs();
        CommandLine cli = new CommandLine(new TokenCommand()).setOut(new java.io.PrintWriter(out, true))
                .setErr(new java.io.PrintWriter(err, true));
        ((Create) cli.getSubcommands().get("create").getCommand()).bind(environment, out, err);
        int status = cli.execute(args);
        if (status == 0 && cli.getParseResult() != null && !cli.getParseResult().hasSubcommand()
                && !cli.getParseResult().isUsageHelpRequested() && !cli.getParseResult().isVersionHelpRequested()) {
            cli.usage(err);
            return 2;
        }
        return status;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Make an API token and print its value (shown only this once).")
    static final class Create implements Callable<Integer> {
        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, operator, admin or ci")
        String role;
        @Option(names = "--name", paramLabel = "NAME", description = "Default: <role>-<time>, e.g. admin-20260101-120000")
        String name;
        @Option(names = "--device-tag", paramLabel = "TAG", description = "Limit the token to devices with this tag.")
        String deviceTag;
        @Option(names = "--expires-in-seconds", paramLabel = "S", description = "Default: never expires.")
        Long expiresInSeconds;
        @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory.")
        Path dataDir;
        @Option(names = "--config", paramLabel = "FILE", description = "The server's config file.")
        Path config;

        private Map<String, String> environment = Map.of();
        private PrintStream out = System.out;
        private PrintStream err = System.err;

        void bind(Map<String, String> env, PrintStream stdout, PrintStream stderr) {
            this.environment = env;
            this.out = stdout;
            this.err = stderr;
        }

        @Override
        public Integer call() {
            FerryConfig settings;
            TokenSpec spec;
            try {
                settings = config();
                Instant now = Clock.systemUTC().instant();
                if (expiresInSeconds != null && expiresInSeconds <= 0) {
                    throw new InvalidTokenException("--expires-in-seconds must be positive, got " + expiresInSeconds);
                }
                String given = name != null ? name : role + "-" + java.time.format.DateTimeFormatter
                        .ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC).format(now);
                spec = TokenSpec.of(given, role, deviceTag, expiresInSeconds == null ? null
                        : now.plusSeconds(expiresInSeconds), now);
            } catch (ConfigException | InvalidTokenException e) {
                err.println("ferry-server token create: " + e.getMessage());
                return 2;
            }
            try (Database database = Database.openBesideServer(settings);
                    TokenStore tokens = new TokenStore(database, Clock.systemUTC())) {
                TokenStore.Created created = tokens.create(spec, "command line (user "
                        + System.getProperty("user.name", "?") + ")");
                err.println("Created API token " + created.token().id() + " '" + spec.name() + "' (role "
                        + spec.role().wireName() + spec.deviceTag().map(t -> ", devices tagged " + t).orElse("")
                        + "); its value follows, shown only this once:");
                out.println(created.value());
                out.flush();
                return 0;
            } catch (RuntimeException e) {
                err.println("ferry-server token create: cannot reach the database in " + settings.dataDir()
                        .toAbsolutePath() + ": " + rootMessage(e));
                return 1;
            }
        }

        private FerryConfig config() {
            if (config != null && !Files.isRegularFile(config)) {
                throw new ConfigException("config file " + config + " does not exist");
            }
            Map<Setting, String> flags = new EnumMap<>(Setting.class);
            if (dataDir != null) {
                flags.put(Setting.DATA_DIR, dataDir.toString());
            }
            return ConfigLoader.load(config, environment, flags);
        }
    }

    /** Standard output carries the token value alone, so a script can read it; the libraries' notes stay out. */
    private static void quietLogs() {
        if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}

package dev.ferry.server.audit;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;

import dev.ferry.server.config.ConfigException;
import dev.ferry.server.config.ConfigLoader;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;

/**
 * {@code ferry-server audit verify [--data-dir DIR | --config FILE]}: recomputes the audit log's hash chain
 * straight from the database, with the server stopped. Exit status 0 when the chain is whole, 1 when it is broken
 * (the first broken entry is named), 2 when it could not be checked: a usage error, no database there, or an
 * embedded database that a running server holds open (then ask that server: {@code GET /api/v1/audit/verify}).
 * Settings come from the config file, {@code FERRY_*} variables and the flag, as for the server; without
 * {@code --config}, {@code $FERRY_CONFIG} or {@code ./ferry.conf} is read when present.
 */
public final class AuditCommand {
    public static final int VALID = 0;
    public static final int BROKEN = 1;
    public static final int NOT_CHECKED = 2;
    static final String USAGE = "usage: ferry-server audit verify [--data-dir DIR | --config FILE]";

    private AuditCommand() {
    }

    /** Runs {@code audit ARGS...} (the words after {@code audit}) and returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            out.println("Recomputes the audit log's hash chain offline; exit 0 valid, 1 broken, 2 not checked.");
            return VALID;
        }
        if (args.length == 0 || !args[0].equals("verify")) {
            err.println("ferry-server audit: " + (args.length == 0 ? "missing subcommand" : "unknown subcommand '"
                    + args[0] + "'"));
            err.println(USAGE);
            return NOT_CHECKED;
        }
        FerryConfig config;
        try {
            config = config(args, environment);
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("ferry-server audit verify: " + e.getMessage());
            err.println(USAGE);
            return NOT_CHECKED;
        }
        try {
            return verify(config, out, err);
        } catch (ConfigException e) {
            err.println("ferry-server audit verify: configuration error: " + e.getMessage());
            return NOT_CHECKED;
        }
    }

    static FerryConfig config(String[] args, Map<String, String> environment) {
        Path configFile = null;
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (!name.equals("--data-dir") && !name.equals("--config")) {
                throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : null;
            if (value == null) {
                if (++i >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[i];
            }
            if (configFile != null || !flags.isEmpty()) {
                throw new IllegalArgumentException("give either --data-dir or --config, once");
            }
            if (name.equals("--config")) {
                configFile = Path.of(value);
                if (!Files.isRegularFile(configFile)) {
                    throw new IllegalArgumentException("config file " + configFile + " does not exist");
                }
            } else {
                flags.put(Setting.DATA_DIR, value);
            }
        }
        if (configFile == null && flags.isEmpty()) {
            configFile = defaultConfigFile(environment);
        }
        return ConfigLoader.load(configFile, environment, flags);
    }

    private static Path defaultConfigFile(Map<String, String> environment) {
        String fromEnv = environment.get("FERRY_CONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        Path local = Path.of("ferry.conf");
        return Files.isRegularFile(local) ? local : null;
    }

    private static int verify(FerryConfig config, PrintStream out, PrintStream err) {
        String where = config.databaseUrl().startsWith("jdbc:h2:")
                ? "the database in " + config.dataDir().toAbsolutePath() : "the database at " + config.databaseUrl();
        try (Connection connection = Database.connectReadOnly(config)) {
            if (!AuditStore.exists(connection)) {
                err.println("ferry-server audit verify: " + where + " has no audit log yet; a server of this"
                        + " version adds it when it starts");
                return NOT_CHECKED;
            }
            AuditVerifier.Verification result = AuditVerifier.verify(connection);
            if (result.valid()) {
                out.println("audit log valid: " + result.entries() + " entr" + (result.entries() == 1 ? "y" : "ies")
                        + result.head().map(h -> "; head: entry " + h.sequence() + ", hash " + h.hash()).orElse(""));
                return VALID;
            }
            AuditVerifier.Broken broken = result.firstBroken().orElseThrow();
            out.println("audit log BROKEN at entry " + broken.sequence() + ": " + broken.reason() + " ("
                    + result.entries() + " entries read)");
            return BROKEN;
        } catch (SQLException e) {
            if (Database.isInUse(e)) {
                err.println("ferry-server audit verify: " + where + " is in use, most likely by a running server;"
                        + " stop it first, or ask the running server: GET /api/v1/audit/verify with an admin token");
            } else if (Database.isMissing(e)) {
                err.println("ferry-server audit verify: there is no database in " + config.dataDir().toAbsolutePath()
                        + "; give the server's --data-dir or --config");
            } else {
                err.println("ferry-server audit verify: cannot read " + where + ": " + e.getMessage());
            }
            return NOT_CHECKED;
        }
    }
}

package dev.ferry.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/**
 * Merges the settings sources in order of precedence: command-line flags, then environment variables, then
 * the config file (Java properties syntax, see {@code server/ferry.example.conf}), then defaults.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    public static FerryConfig load(Path configFile, Map<String, String> environment, Map<Setting, String> flags) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            values.put(setting, setting.defaultValue());
        }
        if (configFile != null) {
            values.putAll(readFile(configFile));
        }
        for (Setting setting : Setting.values()) {
            String fromEnv = environment.get(setting.envName());
            if (fromEnv != null) {
                values.put(setting, fromEnv);
            }
        }
        values.putAll(flags);
        return new FerryConfig(values);
    }

    private static Map<Setting, String> readFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (String key : properties.stringPropertyNames()) {
            Setting setting = Setting.byKey(key);
            if (setting == null) {
                throw new ConfigException("unknown setting '" + key + "' in " + file
                        + "; see server/ferry.example.conf for the list of settings");
            }
            values.put(setting, properties.getProperty(key).trim());
        }
        return values;
    }
}

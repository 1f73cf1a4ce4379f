package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.ferry.server.config.ConfigLoader;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;

/** server/ferry.example.conf is what operators copy: it must name every setting the server knows, and only those. */
class ExampleConfigTest {
    private static final Path EXAMPLE = Path.of("ferry.example.conf");

    @Test
    void the_example_names_every_setting_the_server_knows_and_no_other_key() throws IOException {
        Set<String> inExample = new TreeSet<>(example().stringPropertyNames());
        Set<String> known = Arrays.stream(Setting.values()).map(Setting::key)
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(difference(known, inExample)).as("settings missing from " + EXAMPLE).isEmpty();
        assertThat(difference(inExample, known)).as("keys in " + EXAMPLE + " the server does not know").isEmpty();
    }

    @Test
    void the_example_shows_each_setting_with_its_default() throws IOException {
        Properties example = example();

        for (Setting setting : Setting.values()) {
            assertThat(example.getProperty(setting.key())).as(setting.key()).isIn(null, setting.defaultValue());
        }
    }

    @Test
    void every_key_in_the_example_is_explained_by_a_comment_above_it_or_above_its_group() throws IOException {
        List<String> lines = Files.readAllLines(EXAMPLE);
        List<String> unexplained = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (isSetting(lines.get(i)) && !explained(lines, i)) {
                unexplained.add(lines.get(i));
            }
        }

        assertThat(unexplained).isEmpty();
    }

    @Test
    void the_server_loads_the_example_as_it_is() throws IOException {
        FerryConfig config = ConfigLoader.load(EXAMPLE, Map.of(), Map.of());

        assertThat(config.httpPort()).isEqualTo(8080);
    }

    private static Properties example() throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(EXAMPLE)));
        return properties;
    }

    private static Set<String> difference(Set<String> from, Set<String> without) {
        Set<String> rest = new TreeSet<>(from);
        rest.removeAll(without);
        return rest;
    }

    private static boolean isSetting(String line) {
        return !line.isBlank() && !line.startsWith("#");
    }

    /** Walks up through the key's group (keys on consecutive lines) to the comment that opens it. */
    private static boolean explained(List<String> lines, int keyLine) {
        for (int i = keyLine - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                return true;
            }
            if (line.isBlank()) {
                return false;
            }
        }
        return false;
    }
}

package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.ConfigException;
import dev.ferry.server.config.ConfigLoader;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;

class ConfigTest {
    @TempDir
    Path dir;

    @Test
    void flags_win_over_environment_which_wins_over_the_file() throws IOException {
        Path file = Files.writeString(dir.resolve("ferry.conf"), "http.port=1111\ncoap.port=2222\ncoaps.port=3333\n");

        FerryConfig config = ConfigLoader.load(file, Map.of("FERRY_COAP_PORT", "4444", "FERRY_COAPS_PORT", "5555"),
                Map.of(Setting.COAPS_PORT, "6666"));

        assertThat(config.httpPort()).isEqualTo(1111);
        assertThat(config.coapPort()).isEqualTo(4444);
        assertThat(config.coapsPort()).isEqualTo(6666);
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
    }

    @Test
    void an_unknown_key_in_the_file_is_an_error_naming_it() throws IOException {
        Path file = Files.writeString(dir.resolve("ferry.conf"), "http.prot=8080\n");

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown setting 'http.prot'");
    }

    @Test
    void an_out_of_range_port_is_an_error_naming_the_setting() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FERRY_HTTP_PORT", "70000"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.port must be between 0 and 65535");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of(Setting.COAP_PORT, "five")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("coap.port must be a whole number");
    }
}

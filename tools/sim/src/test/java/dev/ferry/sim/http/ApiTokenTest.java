package dev.ferry.sim.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** --token wins over --token-file, which is read as the server writes admin.token (with its line end). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ApiTokenTest {
    @Command(name = "probe")
    static final class Probe {
        @Mixin
        ApiToken token = new ApiToken();
    }

    @Test
    void the_token_comes_from_the_flag_before_the_file(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("admin.token"), "ferry_fromfile\n");

        assertThat(parse("--token-file", file.toString()).value()).isEqualTo("ferry_fromfile");
        assertThat(parse("--token", "ferry_flag", "--token-file", file.toString()).value()).isEqualTo("ferry_flag");
    }

    @Test
    void the_header_is_added_only_when_there_is_a_token() {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:1/"));

        assertThat(ApiToken.authorize(request, "ferry_x").build().headers().firstValue("authorization"))
                .contains("Bearer ferry_x");
        assertThat(ApiToken.authorize(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:1/")),
                null).build().headers().firstValue("authorization")).isEmpty();
    }

    private static ApiToken parse(String... args) {
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs(args);
        return probe.token;
    }
}

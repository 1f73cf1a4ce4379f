package dev.ferry.cli.update;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The download line {@code ferry update watch} draws from a session's {@code download} block. */
class UpdateWatchTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_session_partway_through_its_download_shows_the_share_served() throws Exception {
        String line = UpdateWatch.Follower.download(JSON.readTree(
                "{\"state\":\"downloading\",\"download\":{\"bytesServed\":12288,\"totalBytes\":49152}}"));

        assertThat(line).isEqualTo("  download [#####...............] 25% (12288 of 49152 bytes served)");
    }

    @Test
    void a_session_without_a_download_block_shows_no_download_line() throws Exception {
        assertThat(UpdateWatch.Follower.download(JSON.readTree("{\"state\":\"pending\",\"download\":null}")))
                .isEmpty();
        assertThat(UpdateWatch.Follower.download(JSON.readTree("{\"state\":\"pending\"}"))).isEmpty();
    }
}

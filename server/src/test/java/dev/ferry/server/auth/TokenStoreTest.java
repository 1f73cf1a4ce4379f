package dev.ferry.server.auth;

import static dev.ferry.server.store.generated.Tables.API_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;
import dev.ferry.server.testing.TestServer;

/** The token store on a real H2 database: last use is written at most once a minute, and what is left at close. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class TokenStoreTest {
    static final Instant START = Instant.parse("2030-01-01T12:00:00Z");

    @TempDir
    Path dir;
    Database database;
    TokenStore store;
    Instant now = START;
    String value;

    @BeforeEach
    void open() {
        database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dir.toString())));
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                return now;
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        store = new TokenStore(database, clock).load();
        value = store.create(new TokenSpec("t", Role.VIEWER, Optional.empty(), Optional.empty()), "test").value();
    }

    @AfterEach
    void close() {
        store.close();
        database.close();
    }

    @Test
    void last_use_is_written_at_most_once_a_minute_and_the_rest_at_close() {
        byte[] hash = TokenSecret.hash(value);

        store.used(hash);
        TestServer.eventually("the first use is written", () -> START.equals(written()));
        now = START.plusSeconds(30);
        store.used(hash);
        assertThat(written()).as("a use 30 s later waits").isEqualTo(START);
        assertThat(store.list().get(0).lastUsedAt()).contains(START.plusSeconds(30));
        now = START.plus(TokenStore.LAST_USE_WRITE_INTERVAL).plusSeconds(1);
        store.used(hash);
        TestServer.eventually("a use a minute later is written", () -> now.equals(written()));
        now = now.plusSeconds(5);
        store.used(hash);
        store.close();

        assertThat(written()).as("the last use is written at close").isEqualTo(now);
    }

    @Test
    void a_revoked_token_is_gone_from_memory_and_a_lookup_does_not_bring_it_back() {
        byte[] hash = TokenSecret.hash(value);
        String id = store.cached(hash).orElseThrow().id();

        assertThat(store.revoke(id)).isTrue();

        assertThat(store.cached(hash)).isEmpty();
        assertThat(store.lookup(hash)).isEmpty();
        assertThat(store.revoke(id)).isFalse();
    }

    @Test
    void a_token_made_elsewhere_is_found_by_a_lookup_and_then_kept_in_memory() {
        TokenStore other = new TokenStore(database, Clock.systemUTC());
        String made = other.create(new TokenSpec("elsewhere", Role.ADMIN, Optional.empty(), Optional.empty()), "x")
                .value();
        byte[] hash = TokenSecret.hash(made);

        assertThat(store.cached(hash)).isEmpty();
        assertThat(store.lookup(hash).map(ApiToken::name)).contains("elsewhere");
        assertThat(store.cached(hash).map(ApiToken::role)).contains(Role.ADMIN);
        other.close();
    }

    private Instant written() {
        var at = database.dsl().select(API_TOKEN.LAST_USED_AT).from(API_TOKEN).fetchOne(API_TOKEN.LAST_USED_AT);
        return at == null ? null : at.toInstant();
    }
}

package dev.ferry.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/** A route the router serves without a rule in AccessRules stops the server from starting, naming the route. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class AuthenticationRulesTest {

    @Test
    void a_route_without_a_rule_is_refused_with_its_name() {
        Authentication authentication = new Authentication(null, null, null, null, endpoint -> java.util.Optional.empty());
        ApiRoute unruled = ApiRoute.get("/api/v1/nowhere", RoutingContext::next);

        assertThatThrownBy(() -> authentication.handlerFor(unruled)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GET /api/v1/nowhere").hasMessageContaining("AccessRules");
    }

    @Test
    void a_protected_route_declares_401_403_and_429_and_an_open_one_none_of_them() {
        assertThat(ApiRoute.get("/api/v1/devices", RoutingContext::next).statuses()).contains(401, 403, 429);
        assertThat(ApiRoute.get("/health", RoutingContext::next).statuses()).doesNotContain(401, 403, 429);
        assertThat(AccessRules.of(HttpMethod.HEAD, "/api/v1/tokens")).isEqualTo(AccessRules.of(HttpMethod.GET,
                "/api/v1/tokens"));
    }
}

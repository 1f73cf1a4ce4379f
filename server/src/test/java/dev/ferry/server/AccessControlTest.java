package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.api.AccessRules;
import dev.ferry.server.auth.Role;
import dev.ferry.server.config.Setting;
import dev.ferry.server.testing.RawHttp;
import dev.ferry.server.testing.RawHttp.Answer;
import dev.ferry.server.testing.TestServer;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/**
 * Every operation of openapi.yaml, HEAD included wherever GET is, called without a token, with a bad one and with
 * a token of each role: open routes never answer 401; the others answer 401 without a valid token, 403 to a role
 * below their rule, and neither to a role their rule admits (the handler ran: its 400 or 404 is fine).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AccessControlTest {
    static final String BAD_TOKEN = "ferry_" + "A".repeat(43);

    static TestServer server;
    static OpenAPI api;
    static final Map<Role, String> tokens = new LinkedHashMap<>();

    @BeforeAll
    static void startServer() {
        // Every operation is tried with a bad token: the limit on failed attempts must not step in here.
        // Public HTTP downloads: the open routes then answer anyone, so that a 403 seen there would come from the
        // access rules; with downloads closed, /fw and the manifest answer 403 to callers without a download token
        // (see DownloadTokenTest), whatever bearer token they send.
        server = TestServer.givenServer().with(Setting.HTTP_AUTH_FAILURE_LIMIT, "1000000")
                .with(Setting.DISTRIBUTION_PUBLIC_HTTP, "true").start();
        for (Role role : Role.values()) {
            tokens.put(role, role == Role.ADMIN ? server.adminToken() : tokenOf(role));
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        api = new OpenAPIV3Parser().readContents(new RawHttp(server).send("GET", "/api/v1/openapi.yaml", null).body(),
                null, options).getOpenAPI();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void every_documented_operation_answers_each_caller_as_its_rule_says() {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Call call : calls()) {
            Optional<AccessRules.Rule> rule = AccessRules.of(call.method(), call.routePath());
            assertThat(rule).as("rule of " + call).isPresent();
            boolean open = rule.get().needed().isEmpty();
            assertThat(call.documentedOpen()).as("security: [] in openapi.yaml for " + call).isEqualTo(open);

            Answer anonymous = call.send(null);
            Answer badToken = call.send(BAD_TOKEN);
            if (open) {
                expect(wrong, call, "no token", anonymous.status() != 401);
                expect(wrong, call, "bad token", badToken.status() != 401);
            } else {
                expect(wrong, call, "no token -> 401 with a challenge", anonymous.status() == 401
                        && "Bearer realm=\"ferry\"".equals(anonymous.header("www-authenticate")));
                expect(wrong, call, "bad token -> 401 invalid_token", badToken.status() == 401
                        && String.valueOf(badToken.header("www-authenticate")).contains("error=\"invalid_token\""));
            }
            for (Map.Entry<Role, String> token : tokens.entrySet()) {
                Answer answer = call.send(token.getValue());
                boolean admitted = open || token.getKey().satisfies(rule.get().needed().get(), rule.get().ciAllowed());
                String as = token.getKey().wireName() + " answered " + answer.status() + " " + answer.body();
                if (admitted) {
                    expect(wrong, call, as + " (expected neither 401 nor 403)",
                            answer.status() != 401 && answer.status() != 403);
                } else {
                    expect(wrong, call, as + " (expected 403)", answer.status() == 403 && (call.method() == HttpMethod.HEAD
                            || answer.json().getString("neededRole").equals(rule.get().needed().get().wireName())));
                }
            }
            checked++;
        }

        assertThat(wrong).isEmpty();
        assertThat(checked).as("operations walked").isGreaterThan(40);
    }

    @Test
    void a_viewer_is_refused_a_change_with_a_problem_naming_the_role_needed() {
        Answer answer = new RawHttp(server, tokens.get(Role.VIEWER)).send("DELETE", "/api/v1/devices/nobody", null);

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.isProblem()).isTrue();
        assertThat(answer.json().getString("detail")).contains("needs a token of role operator")
                .contains("has role viewer");
    }

    @Test
    void a_request_without_a_token_gets_a_problem_document_that_says_how_to_send_one() {
        Answer answer = new RawHttp(server, null).send("GET", "/api/v1/devices", null);

        assertThat(answer.isProblem()).isTrue();
        assertThat(answer.json().getString("detail")).contains("Authorization: Bearer").contains("admin.token");
    }

    private static void expect(List<String> wrong, Call call, String what, boolean held) {
        if (!held) {
            wrong.add(call + ": " + what);
        }
    }

    static String tokenOf(Role role) {
        TestServer.Reply reply = server.post("/api/v1/tokens", new JsonObject().put("name", "walk-" + role.wireName())
                .put("role", role.wireName()).encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json().getString("value");
    }

    /** One request to one operation, with a body of the type it takes and parameters that name nothing. */
    record Call(HttpMethod method, String documentedPath, String contentType, boolean documentedOpen) {
        String routePath() {
            return documentedPath.replaceAll("\\{(\\w+)}", ":$1");
        }

        Answer send(String token) {
            String path = documentedPath.replace("{endpoint}", "nobody").replace("{sha256}", "0".repeat(64))
                    .replace("{model}", "thermo-2").replace("{objectId}", "3").replace("{instanceId}", "0")
                    .replace("{resourceId}", "0").replace("{id}", "99")
                    .replace("{name}", "nobody");
            RawHttp http = new RawHttp(server, token);
            if (contentType == null) {
                return http.send(method.name(), path, null);
            }
            return http.send(method.name(), path, contentType.equals("application/json") ? "{}" : "", "content-type",
                    contentType);
        }

        @Override
        public String toString() {
            return method + " " + documentedPath;
        }
    }

    static List<Call> calls() {
        List<Call> calls = new ArrayList<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            HttpMethod http = HttpMethod.valueOf(method.name());
            boolean open = operation.getSecurity() != null && operation.getSecurity().isEmpty();
            calls.add(new Call(http, path, contentType(operation), open));
            if (method == PathItem.HttpMethod.GET && item.getHead() == null) {
                calls.add(new Call(HttpMethod.HEAD, path, null, open));
            }
        }));
        return calls;
    }

    private static String contentType(Operation operation) {
        if (operation.getRequestBody() == null) {
            return null;
        }
        if (operation.getRequestBody().getContent() == null) {
            return "application/json"; // the shared Action body: no content, declared as JSON
        }
        return operation.getRequestBody().getContent().keySet().iterator().next();
    }
}

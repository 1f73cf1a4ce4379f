package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.api.ApiRoute;
import dev.ferry.server.testing.RawHttp;
import dev.ferry.server.testing.RawHttp.Answer;
import dev.ferry.server.testing.TestServer;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;

/** openapi.yaml is a valid OpenAPI 3 document and describes exactly what the server serves and answers. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OpenApiTest {
    static TestServer server;
    static RawHttp http;
    static String document;
    static OpenAPI api;

    @BeforeAll
    static void startServer() {
        server = TestServer.givenServer().start();
        http = new RawHttp(server);
        Answer reply = http.send("GET", "/api/v1/openapi.yaml", null);
        assertThat(reply.status()).isEqualTo(200);
        document = reply.body();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document, null, options);
        assertThat(parsed.getMessages()).as("errors and warnings of the OpenAPI parser").isEmpty();
        api = parsed.getOpenAPI();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void openapi_document_is_valid_openapi_3_without_errors_or_warnings() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document, null, options);

        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI()).isNotNull();
        assertThat(parsed.getOpenAPI().getOpenapi()).startsWith("3.");
    }

    @Test
    void openapi_document_lists_exactly_the_routes_the_server_serves() {
        Set<String> documented = new TreeSet<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet().forEach(method -> {
            documented.add(method.name() + " " + path);
            if (method == PathItem.HttpMethod.GET) {
                documented.add("HEAD " + path); // the document states that HEAD is served wherever GET is
            }
        }));

        Set<String> served = new TreeSet<>();
        for (Route route : server.server().httpApiRouter().getRoutes()) {
            if (route.methods() == null) {
                continue; // body handler and failure handler apply to every route
            }
            // A path with a literal ':' (devices:bulk) is mounted as a regex route named by its path.
            String path = (route.getPath() != null ? route.getPath() : route.getName()).replaceAll("(?<=/):(\\w+)",
                    "{$1}");
            for (HttpMethod method : route.methods()) {
                served.add(method.name() + " " + path);
            }
        }

        assertThat(documented).isEqualTo(served);
    }

    @Test
    void every_route_documents_exactly_the_statuses_it_can_answer() {
        Map<String, Set<Integer>> declared = new TreeMap<>();
        Map<String, Set<Integer>> documented = new TreeMap<>();
        for (ApiRoute route : documentedRoutes()) {
            String key = route.method() + " " + route.documentedPath();
            declared.put(key, route.statuses());
            Set<Integer> statuses = new TreeSet<>();
            operation(route).getResponses().keySet().forEach(code -> statuses.add(Integer.valueOf(code)));
            documented.put(key, statuses);
        }

        assertThat(documented).isEqualTo(declared);
    }

    @Test
    void every_route_documents_exactly_the_query_parameters_it_takes() {
        Map<String, Set<String>> declared = new TreeMap<>();
        Map<String, Set<String>> documented = new TreeMap<>();
        for (ApiRoute route : documentedRoutes()) {
            String key = route.method() + " " + route.documentedPath();
            declared.put(key, new TreeSet<>(route.queryParams()));
            Set<String> names = new TreeSet<>();
            List<Parameter> parameters = new ArrayList<>();
            PathItem item = api.getPaths().get(route.documentedPath());
            if (item.getParameters() != null) {
                parameters.addAll(item.getParameters());
            }
            if (operation(route).getParameters() != null) {
                parameters.addAll(operation(route).getParameters());
            }
            parameters.stream().filter(p -> "query".equals(p.getIn())).forEach(p -> names.add(p.getName()));
            documented.put(key, names);
        }

        assertThat(documented).isEqualTo(declared);
    }

    @Test
    void every_route_documents_the_content_types_it_accepts() {
        for (ApiRoute route : documentedRoutes()) {
            Operation operation = operation(route);
            RequestBody body = operation.getRequestBody();
            if (body != null && body.get$ref() != null) {
                body = api.getComponents().getRequestBodies().get(body.get$ref().replace("#/components/requestBodies/", ""));
            }
            Set<String> types = body == null ? Set.of() : new TreeSet<>(body.getContent().keySet());
            Set<String> expected = switch (route.body()) {
            case NONE -> Set.of();
            case JSON, ACTION -> Set.of("application/json");
            case IMAGE -> new TreeSet<>(List.of("application/octet-stream", "multipart/form-data"));
            case DEVICE_LIST -> new TreeSet<>(List.of("application/json", "text/csv"));
            case DDF_XML -> new TreeSet<>(List.of("application/xml", "text/xml"));
            };
            assertThat(types).as(route.method() + " " + route.path()).isEqualTo(expected);
        }
    }

    /** The cheap answers of every route, HEAD included: each must be one the route declares (and so documents). */
    @Test
    void every_route_answers_unknown_query_parameters_and_wrong_content_types_as_documented() {
        for (ApiRoute route : server.server().httpApiRoutes()) {
            String path = examplePath(route);
            String name = route.method() + " " + path;

            Answer plain = send(route, path, route.body() == ApiRoute.Body.IMAGE ? "application/octet-stream"
                    : "application/json");
            assertThat(route.statuses()).as(name + " answered " + plain.status() + ": " + plain.body())
                    .contains(plain.status());

            Answer unknownParameter = send(route, path + "?colour=red", "application/json");
            assertThat(unknownParameter.status()).as(name + "?colour=red").isEqualTo(400);
            if (route.method() != HttpMethod.HEAD) {
                assertThat(unknownParameter.isProblem()).isTrue();
                assertThat(unknownParameter.json().getString("detail")).contains("unknown query parameter 'colour'");
            }

            if (route.body() != ApiRoute.Body.NONE) {
                Answer textPlain = send(route, path, "text/plain");
                assertThat(textPlain.status()).as(name + " as text/plain").isEqualTo(415);
                assertThat(textPlain.isProblem()).isTrue();
                assertThat(textPlain.header("accept")).isNotBlank();
            }
        }
    }

    @Test
    void every_path_answers_a_method_it_does_not_serve_with_405_and_the_methods_it_does() {
        Map<String, Set<String>> served = new TreeMap<>();
        Map<String, String> examples = new TreeMap<>();
        List<ApiRoute> routes = server.server().httpApiRoutes();
        for (ApiRoute route : routes) {
            examples.put(route.path(), examplePath(route));
        }
        // A path may also match another route's parameters (/devices/claim is /devices/:endpoint too): what is
        // served there is every route whose pattern matches it.
        examples.forEach((path, example) -> {
            for (ApiRoute route : routes) {
                if (route.matches(example)) {
                    served.computeIfAbsent(path, p -> new TreeSet<>()).add(route.method().name());
                }
            }
        });
        served.forEach((path, methods) -> {
            String unserved = List.of("PATCH", "PUT", "DELETE", "POST").stream().filter(m -> !methods.contains(m))
                    .findFirst().orElseThrow();

            Answer reply = http.send(unserved, examples.get(path), null);

            assertThat(reply.status()).as(unserved + " " + path).isEqualTo(405);
            assertThat(reply.isProblem()).isTrue();
            assertThat(new TreeSet<>(List.of(reply.header("allow").split(", ")))).as("Allow of " + path)
                    .isEqualTo(methods);
        });
    }

    private static Answer send(ApiRoute route, String path, String contentType) {
        if (route.body() == ApiRoute.Body.NONE) {
            return http.send(route.method().name(), path, null);
        }
        return http.send(route.method().name(), path, route.body() == ApiRoute.Body.IMAGE ? "" : "{}",
                "content-type", contentType);
    }

    /** The routes written in the document: all but the HEAD routes the server adds for each GET. */
    private static List<ApiRoute> documentedRoutes() {
        return server.server().httpApiRoutes().stream().filter(route -> route.method() != HttpMethod.HEAD
                || operation(route) != null).toList();
    }

    private static Operation operation(ApiRoute route) {
        PathItem item = api.getPaths().get(route.documentedPath());
        assertThat(item).as("documented path " + route.documentedPath()).isNotNull();
        return item.readOperationsMap().get(PathItem.HttpMethod.valueOf(route.method().name()));
    }

    /** The route's path with parameters that name nothing that exists (so nothing changes). */
    private static String examplePath(ApiRoute route) {
        return route.path().replace(":endpoint", "nobody").replace(":sha256", "0".repeat(64))
                .replace(":model", "thermo-2").replace(":objectId", "3").replace(":instanceId", "0")
                .replace(":resourceId", "0").replace(":id", "99");
    }
}

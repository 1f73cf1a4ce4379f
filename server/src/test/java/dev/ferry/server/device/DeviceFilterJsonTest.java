package dev.ferry.server.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

class DeviceFilterJsonTest {

    @Test
    void a_filter_reads_and_renders_back_the_same_json() {
        JsonObject json = new JsonObject("{\"tagsAll\":[\"eu\",\"canary\"],\"tagsAny\":[\"a\"],\"model\":\"gateway x\","
                + "\"firmwareVersion\":\">=1.0.0 <2.0.0\",\"online\":false,\"endpointPrefix\":\"gw-\","
                + "\"endpoints\":[\"gw-1\",\"gw-2\"]}");
        Map<String, String> problems = new LinkedHashMap<>();

        DeviceFilter filter = DeviceFilterJson.parse(json, "target.filter", problems::put);

        assertThat(problems).isEmpty();
        assertThat(filter).isEqualTo(new DeviceFilter(List.of("eu", "canary"), List.of("a"), "gateway x",
                ">=1.0.0 <2.0.0", false, "gw-", List.of("gw-1", "gw-2")));
        assertThat(DeviceFilterJson.render(filter)).isEqualTo(json);
    }

    @Test
    void an_empty_object_is_the_whole_fleet_and_renders_empty() {
        Map<String, String> problems = new LinkedHashMap<>();

        assertThat(DeviceFilterJson.parse(new JsonObject(), "", problems::put)).isEqualTo(DeviceFilter.ALL);
        assertThat(problems).isEmpty();
        assertThat(DeviceFilterJson.render(DeviceFilter.ALL)).isEqualTo(new JsonObject());
    }

    @Test
    void every_problem_is_reported_with_its_field_path() {
        JsonObject json = new JsonObject("{\"tagsAll\":[\"ok\",\"bad tag\",3],\"tagsAny\":\"eu\",\"model\":\"\","
                + "\"firmwareVersion\":\"<2.0\",\"online\":\"yes\",\"endpointPrefix\":\"gw/\","
                + "\"endpoints\":[\"a b\"],\"colour\":\"red\"}");
        Map<String, String> problems = new LinkedHashMap<>();

        assertThat(DeviceFilterJson.parse(json, "target.filter", problems::put)).isNull();

        assertThat(problems).containsOnlyKeys("target.filter.colour", "target.filter.tagsAll[1]",
                "target.filter.tagsAll[2]", "target.filter.tagsAny", "target.filter.model",
                "target.filter.firmwareVersion", "target.filter.online", "target.filter.endpointPrefix",
                "target.filter.endpoints[0]");
        assertThat(problems.get("target.filter.colour")).contains("is not a filter condition").contains("tagsAll");
        assertThat(problems.get("target.filter.tagsAll[1]")).contains("'bad tag'").contains(Names.TAG_RULE);
        assertThat(problems.get("target.filter.tagsAny")).isEqualTo("must be an array of strings");
        assertThat(problems.get("target.filter.firmwareVersion")).contains("'2.0'").contains("is not a version");
        assertThat(problems.get("target.filter.online")).isEqualTo("must be true or false");
    }

    @Test
    void without_a_prefix_paths_are_the_keys_and_a_missing_object_is_a_problem() {
        Map<String, String> problems = new LinkedHashMap<>();

        DeviceFilterJson.parse(new JsonObject("{\"model\":7}"), null, problems::put);
        DeviceFilterJson.parse(null, "target.filter", problems::put);

        assertThat(problems).containsOnlyKeys("model", "target.filter");
    }
}

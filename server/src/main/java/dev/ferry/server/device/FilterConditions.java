package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.DEVICE_TAG;

import java.util.List;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * A {@link DeviceFilter} as SQL over the device table, every value a bind value. The version expression becomes the
 * list of versions the fleet reports that it matches: the distinct versions are few and come from the version
 * index, so a range costs one short scan and then filters like an exact version, on pages and counts alike.
 */
final class FilterConditions {
    private static final char LIKE_ESCAPE = '!';

    private FilterConditions() {
    }

    /**
     * The filter as a condition. A page walks the endpoint index and checks each device's tags until it is full
     * ({@code forCount} false); a count takes each tag's devices from the tag index instead, where checking every
     * device would read the whole fleet.
     */
    static Condition of(DSLContext dsl, DeviceFilter filter, boolean forCount) {
        Condition condition = DSL.noCondition();
        for (String tag : filter.tagsAll()) {
            condition = condition.and(withTags(List.of(tag), forCount));
        }
        if (!filter.tagsAny().isEmpty()) {
            condition = condition.and(withTags(filter.tagsAny(), forCount));
        }
        if (filter.model() != null) {
            condition = condition.and(DEVICE.MODEL.eq(filter.model()));
        }
        if (filter.firmwareVersion() != null) {
            condition = condition.and(versionIn(dsl, VersionRange.parse(filter.firmwareVersion())));
        }
        if (filter.online() != null) {
            condition = condition.and(DEVICE.ONLINE.eq(filter.online()));
        }
        if (filter.endpointPrefix() != null) {
            // The lower bound lets the endpoint index start at the prefix; LIKE decides.
            condition = condition.and(DEVICE.ENDPOINT.ge(filter.endpointPrefix()))
                    .and(DEVICE.ENDPOINT.like(escapeLike(filter.endpointPrefix()) + "%", LIKE_ESCAPE));
        }
        if (!filter.endpoints().isEmpty()) {
            condition = condition.and(DEVICE.ENDPOINT.in(filter.endpoints()));
        }
        return condition;
    }

    private static Condition withTags(List<String> tags, boolean forCount) {
        Condition tagIs = tags.size() == 1 ? DEVICE_TAG.TAG.eq(tags.get(0)) : DEVICE_TAG.TAG.in(tags);
        if (forCount) {
            return DEVICE.ID.in(DSL.select(DEVICE_TAG.DEVICE_ID).from(DEVICE_TAG).where(tagIs));
        }
        return DSL.exists(DSL.selectOne().from(DEVICE_TAG).where(DEVICE_TAG.DEVICE_ID.eq(DEVICE.ID)).and(tagIs));
    }

    private static Condition versionIn(DSLContext dsl, VersionRange range) {
        List<String> versions = dsl.selectDistinct(DEVICE.FIRMWARE_VERSION).from(DEVICE)
                .where(DEVICE.FIRMWARE_VERSION.isNotNull()).fetch(DEVICE.FIRMWARE_VERSION).stream()
                .filter(range::matches).toList();
        return versions.isEmpty() ? DSL.falseCondition() : DEVICE.FIRMWARE_VERSION.in(versions);
    }

    static String escapeLike(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }
}

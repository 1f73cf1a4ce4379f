package dev.ferry.server.device;

import java.util.List;

/**
 * Which devices a group, a rollout or a device listing means: every condition given must hold; a null (or empty
 * list) condition matches every device, so {@code DeviceFilter.ALL} matches the whole fleet.
 *
 * @param tagsAll the device carries every one of these tags
 * @param tagsAny the device carries at least one of these tags
 * @param model exact model (3/0/1 or as provisioned)
 * @param firmwareVersion an exact version ({@code 1.2.0}) or a semantic-version range ({@code <2.0.0},
 *        {@code >=1.0.0 <2.0.0}) compared with the version the device reports
 * @param online the device is (true) or is not (false) registered now
 * @param endpointPrefix the endpoint name starts with this
 * @param endpoints the endpoint is one of these
 */
public record DeviceFilter(List<String> tagsAll, List<String> tagsAny, String model, String firmwareVersion,
        Boolean online, String endpointPrefix, List<String> endpoints) {

    public static final DeviceFilter ALL = new DeviceFilter(List.of(), List.of(), null, null, null, null, List.of());

    public DeviceFilter {
        tagsAll = tagsAll == null ? List.of() : List.copyOf(tagsAll);
        tagsAny = tagsAny == null ? List.of() : List.copyOf(tagsAny);
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    }

    /**
     * Whether {@code device}, as the registry knows it now, is one this filter means (the same rules as
     * {@link DeviceRepository#matching}; versions compare as {@link VersionRange} says).
     *
     * @throws IllegalArgumentException when {@code firmwareVersion} is not a valid expression (filters from the
     *         API are checked by {@link DeviceFilterJson} before they get here)
     */
    public boolean matches(Device device) {
        return (tagsAll.isEmpty() || device.tags().containsAll(tagsAll))
                && (tagsAny.isEmpty() || tagsAny.stream().anyMatch(device.tags()::contains))
                && (model == null || model.equals(device.model()))
                && (firmwareVersion == null || VersionRange.parse(firmwareVersion).matches(device.firmwareVersion()))
                && (online == null || online == device.online())
                && (endpointPrefix == null || device.endpoint().startsWith(endpointPrefix))
                && (endpoints.isEmpty() || endpoints.contains(device.endpoint()));
    }

    /** True when no condition is given: the filter means every device. */
    public boolean matchesEverything() {
        return ALL.equals(this);
    }
}

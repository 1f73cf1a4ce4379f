package dev.ferry.server.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceQuery;
import dev.ferry.server.device.DeviceRepository;

/**
 * A rollout's target matched against the registry as it is now, page by page in endpoint order: a saved group
 * is resolved to its filter at each call, so a group changed while it was not in use, or devices tagged into it,
 * count at the next wave.
 */
public final class RegistryTargets implements RolloutTargets {
    private static final int PAGE = DeviceQuery.MAX_LIMIT;
    private final DeviceRepository devices;
    private final Function<String, Optional<DeviceFilter>> groups;

    /** @param groups the filter of the saved group of that name, empty when there is none */
    public RegistryTargets(DeviceRepository devices, Function<String, Optional<DeviceFilter>> groups) {
        this.devices = devices;
        this.groups = groups;
    }

    @Override
    public List<Device> members(RolloutSpec.Target target) {
        Optional<DeviceFilter> filter = target.group() != null ? groups.apply(target.group())
                : Optional.ofNullable(target.filter());
        if (filter.isEmpty()) {
            return List.of(); // the group was deleted: it means no device
        }
        List<Device> members = new ArrayList<>();
        String after = null;
        while (true) {
            List<Device> page = devices.matching(filter.get(), after, PAGE);
            members.addAll(page);
            if (page.size() < PAGE) {
                return members;
            }
            after = page.get(page.size() - 1).endpoint();
        }
    }
}

package dev.ferry.server.rollout;

import java.util.ArrayList;
import java.util.List;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceQuery;
import dev.ferry.server.device.DeviceRepository;

/**
 * A rollout's target matched against the registry, page by page in endpoint order. The registry narrows by the
 * first required tag, the model and the online state; the rest of the filter is judged here. Version ranges and
 * saved groups need the registry's filter matching and are not matched here: such a target matches no device.
 */
public final class RegistryTargets implements RolloutTargets {
    private static final int PAGE = DeviceQuery.MAX_LIMIT;
    private final DeviceRepository devices;

    public RegistryTargets(DeviceRepository devices) {
        this.devices = devices;
    }

    @Override
    public List<Device> members(RolloutSpec.Target target) {
        DeviceFilter filter = target.filter();
        if (filter == null || isRange(filter.firmwareVersion())) {
            return List.of();
        }
        List<Device> members = new ArrayList<>();
        String after = null;
        while (true) {
            List<Device> page = devices.list(new DeviceQuery(filter.tagsAll().isEmpty() ? null : filter.tagsAll().get(0),
                    filter.model(), filter.online(), filter.firmwareVersion(), null, 0, PAGE, after));
            page.stream().filter(d -> matches(filter, d)).forEach(members::add);
            if (page.size() < PAGE) {
                return members;
            }
            after = page.get(page.size() - 1).endpoint();
        }
    }

    private static boolean matches(DeviceFilter filter, Device device) {
        return device.tags().containsAll(filter.tagsAll())
                && (filter.tagsAny().isEmpty() || filter.tagsAny().stream().anyMatch(device.tags()::contains))
                && (filter.endpointPrefix() == null || device.endpoint().startsWith(filter.endpointPrefix()))
                && (filter.endpoints().isEmpty() || filter.endpoints().contains(device.endpoint()));
    }

    private static boolean isRange(String version) {
        return version != null && !version.isEmpty() && "<>=~^".indexOf(version.charAt(0)) >= 0;
    }
}

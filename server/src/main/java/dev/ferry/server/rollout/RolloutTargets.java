package dev.ferry.server.rollout;

import java.util.List;

import dev.ferry.server.device.Device;

/** The devices a rollout's target means now: its saved group's filter, or its own, matched in endpoint order. */
@FunctionalInterface
public interface RolloutTargets {
    List<Device> members(RolloutSpec.Target target);
}

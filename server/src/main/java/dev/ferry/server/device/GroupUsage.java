package dev.ferry.server.device;

import java.util.Optional;

/**
 * Who relies on a saved group staying as it is: a rollout that has not ended targets its devices, so deleting the
 * group or changing its filter under it is refused. Implemented by the rollouts.
 */
@FunctionalInterface
public interface GroupUsage {
    /** Nothing uses any group. */
    GroupUsage UNUSED = name -> Optional.empty();

    /** A description of what uses the group (for example "rollout 7 ('spring', running)"), if anything does. */
    Optional<String> usedBy(String groupName);
}

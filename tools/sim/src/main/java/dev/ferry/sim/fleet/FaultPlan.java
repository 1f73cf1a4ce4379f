package dev.ferry.sim.fleet;

import dev.ferry.sim.device.Faults;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Which devices of a fleet get which {@link Faults}: each group is a fraction of the fleet, the groups do not
 * overlap, and a seeded shuffle picks the members, so the same seed gives the same faulty devices.
 * {@code FaultPlan.none().with(0.1, Faults.none().failHealthCheck()).with(0.05, Faults.none().lossRate(0.2))}.
 */
public final class FaultPlan {

    /** One group: {@code fraction} of the devices get {@code faults}. */
    public record Group(double fraction, Faults faults) {
        public Group {
            if (fraction < 0 || fraction > 1) {
                throw new IllegalArgumentException("a fault group's fraction must be in [0, 1], not " + fraction);
            }
        }
    }

    private final List<Group> groups;

    private FaultPlan(List<Group> groups) {
        this.groups = List.copyOf(groups);
    }

    public static FaultPlan none() {
        return new FaultPlan(List.of());
    }

    /** Adds a group of {@code fraction} of the fleet (rounded to whole devices) with {@code faults}. */
    public FaultPlan with(double fraction, Faults faults) {
        List<Group> more = new ArrayList<>(groups);
        more.add(new Group(fraction, faults));
        double total = more.stream().mapToDouble(Group::fraction).sum();
        if (total > 1.000001) {
            throw new IllegalArgumentException("fault groups cover " + total + " of the fleet; they may cover at most 1");
        }
        return new FaultPlan(more);
    }

    public List<Group> groups() {
        return groups;
    }

    /** The faults of each of {@code count} devices, by index. */
    public List<Faults> assign(int count, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        List<Faults> faults = new ArrayList<>(Collections.nCopies(count, Faults.none()));
        int next = 0;
        for (Group group : groups) {
            int members = (int) Math.round(group.fraction() * count);
            for (int i = 0; i < members && next < count; i++, next++) {
                faults.set(order.get(next), group.faults());
            }
        }
        return faults;
    }

    @Override
    public String toString() {
        if (groups.isEmpty()) {
            return "no faults";
        }
        List<String> parts = new ArrayList<>();
        for (Group group : groups) {
            double percent = Math.round(group.fraction() * 1000) / 10.0;
            parts.add((percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent))
                    + "% " + group.faults());
        }
        return String.join("; ", parts);
    }
}

package dev.ferry.server.rollout;

/** How a plan is kept in the rollout's row: as the JSON text the API takes and shows. */
public interface RolloutPlans {
    String write(RolloutSpec spec);

    RolloutSpec read(String text);
}

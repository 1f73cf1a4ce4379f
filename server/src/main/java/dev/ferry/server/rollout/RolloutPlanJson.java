package dev.ferry.server.rollout;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.json.JsonObject;

/** Plans kept as the JSON the API takes and shows ({@link RolloutSpecJson}), so what is stored is what is shown. */
public final class RolloutPlanJson implements RolloutPlans {

    @Override
    public String write(RolloutSpec spec) {
        return RolloutSpecJson.render(spec).encode();
    }

    /** A stored plan was checked when it was written; one that no longer reads is a bug, not an operator's error. */
    @Override
    public RolloutSpec read(String text) {
        List<InvalidRolloutException.Problem> problems = new ArrayList<>();
        RolloutSpec spec = RolloutSpecJson.parse(new JsonObject(text), problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("a stored rollout plan does not read back: " + problems);
        }
        return spec;
    }
}

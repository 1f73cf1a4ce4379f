package dev.ferry.server.rollout;

import java.util.Locale;

/** What an operator can ask of a rollout ({@code POST /api/v1/rollouts/{id}/<action>}); see {@link RolloutStatus}. */
public enum RolloutAction {
    START, PAUSE, RESUME, PROMOTE, CANCEL, ROLLBACK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RolloutAction fromWireName(String name) {
        for (RolloutAction action : values()) {
            if (action.wireName().equals(name)) {
                return action;
            }
        }
        throw new IllegalArgumentException("unknown rollout action '" + name + "'");
    }
}

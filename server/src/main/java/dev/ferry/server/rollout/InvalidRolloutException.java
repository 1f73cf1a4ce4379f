package dev.ferry.server.rollout;

import java.util.List;

/** A rollout plan that cannot run; the API answers 422 listing every problem. Nothing was created or changed. */
public final class InvalidRolloutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** One problem: the JSON field it is about ({@code gate.errorPercent}, {@code strategy.waves[2]}) and why. */
    public record Problem(String field, String message) {
    }

    private final transient List<Problem> problems;

    public InvalidRolloutException(List<Problem> problems) {
        super(problems.size() + " problem(s): " + problems.stream().map(p -> p.field() + ": " + p.message())
                .reduce((a, b) -> a + "; " + b).orElse(""));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}

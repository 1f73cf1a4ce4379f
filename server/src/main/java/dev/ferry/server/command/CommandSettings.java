package dev.ferry.server.command;

import java.time.Duration;

/**
 * @param defaultDeadline how long a command waits for its device when it names no deadline
 * @param maxDeadline the longest deadline a command may have
 * @param defaultConcurrency devices of a fleet job with the command in flight at once, when the job names none
 * @param requestTimeout how long one attempt waits for the device's answer
 */
public record CommandSettings(Duration defaultDeadline, Duration maxDeadline, int defaultConcurrency,
        Duration requestTimeout) {
}

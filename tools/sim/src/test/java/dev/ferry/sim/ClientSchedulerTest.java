package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ClientSchedulerTest {
    @Test
    void keeps_a_client_task_s_failure_to_start_a_thread_that_its_future_would_hide() throws Exception {
        ClientScheduler scheduler = new ClientScheduler(1, "test-clients");
        try {
            scheduler.submit(() -> {
                throw new IllegalStateException("not a thread limit");
            });
            scheduler.submit(() -> {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource"
                        + " limits reached");
            });
            scheduler.shutdown();
            assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

            assertThat(scheduler.threadLimit()).isInstanceOf(OutOfMemoryError.class)
                    .hasMessageContaining("unable to create native thread");
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void other_failures_are_not_taken_for_a_thread_limit() throws Exception {
        ClientScheduler scheduler = new ClientScheduler(1, "test-clients");
        try {
            scheduler.submit(() -> {
                throw new OutOfMemoryError("Java heap space");
            });
            scheduler.shutdown();
            assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

            assertThat(scheduler.threadLimit()).isNull();
        } finally {
            scheduler.shutdownNow();
        }
    }
}

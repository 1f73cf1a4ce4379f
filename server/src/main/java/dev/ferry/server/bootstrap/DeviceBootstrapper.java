package dev.ferry.server.bootstrap;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.device.ProvisionRequest;
import dev.ferry.server.device.ProvisionResult;
import dev.ferry.server.device.ProvisioningService;
import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;
import dev.ferry.server.device.SecurityMode;

/**
 * Provisions the devices that bootstrap, on a thread of its own: the registry write never runs on a
 * Californium thread. One thread, so that the batch's size limit is checked and recorded in order; a bounded
 * queue, so that a burst of devices waits for it instead of piling up (past it, bootstraps are refused and
 * devices retry, as LwM2M clients do).
 * <p>
 * A device that bootstraps again (a factory reset) may do so while its batch is valid, when the batch produced
 * it and it is not registered right now: it is re-keyed, keeping its tags, history and update sessions, and does
 * not count against the batch again. An endpoint provisioned otherwise, or registered right now, is refused: a
 * batch credential must not take over a device that is in service.
 */
final class DeviceBootstrapper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceBootstrapper.class);
    static final int QUEUE_CAPACITY = 10_000;

    /** The credential a bootstrapped device gets; {@code key} is null for security mode none. */
    record Provisioned(String endpoint, SecurityMode mode, String pskIdentity, byte[] key) {
    }

    /** Why a device is not provisioned; already recorded as a {@code rejected} event when thrown. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final ProvisioningService provisioning;
    private final DeviceRepository devices;
    private final BatchRepository batches;
    private final RegistryWriter writer;
    private final ThreadPoolExecutor executor;

    DeviceBootstrapper(ProvisioningService provisioning, DeviceRepository devices, BatchRepository batches,
            RegistryWriter writer) {
        this.provisioning = provisioning;
        this.devices = devices;
        this.batches = batches;
        this.writer = writer;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY),
                r -> {
                    Thread thread = new Thread(r, "ferry-bootstrap-provisioning");
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /**
     * Starts provisioning {@code endpoint} from the batch, whose place for it {@link BatchCredentials.State#reserve}
     * took; the place is given back (or kept, when produced) once done. Never blocks.
     */
    CompletableFuture<Provisioned> provision(BatchCredentials.State state, String endpoint, String peer) {
        CompletableFuture<Provisioned> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                boolean produced = false;
                try {
                    Provisioned provisioned = provisionNow(state.batch(), state.hasProduced(endpoint), endpoint);
                    produced = true;
                    result.complete(provisioned);
                } catch (Refused e) {
                    refuse(endpoint, e.getMessage(), peer);
                    result.completeExceptionally(e);
                } catch (RuntimeException e) {
                    LOG.warn("Bootstrap of {} failed: provisioning it failed", endpoint, e);
                    refuse(endpoint, "provisioning failed: " + e.getMessage(), peer);
                    result.completeExceptionally(new Refused("provisioning failed"));
                } finally {
                    state.release(endpoint, produced);
                }
            });
        } catch (RejectedExecutionException e) {
            state.release(endpoint, false);
            refuse(endpoint, "the server is busy provisioning " + QUEUE_CAPACITY + " other devices; retry later", peer);
            result.completeExceptionally(new Refused("busy"));
        }
        return result;
    }

    private Provisioned provisionNow(Batch batch, boolean producedBefore, String endpoint) {
        Optional<Device> existing = devices.find(endpoint);
        if (existing.isPresent() && !producedBefore) {
            throw new Refused("endpoint '" + endpoint + "' is already provisioned, not by batch '" + batch.name()
                    + "'; deprovision it first to bootstrap it with this batch");
        }
        if (existing.isPresent() && existing.get().online()) {
            throw new Refused(registeredRightNow(endpoint));
        }
        String refusal = batches.recordBootstrap(batch.id(), endpoint, OffsetDateTime.now());
        if (refusal != null) {
            throw new Refused(refusal);
        }
        ProvisionResult result;
        if (existing.isPresent()) {
            result = provisioning.rekey(endpoint, batch.deviceSecurity(), "bootstrapped again with batch '"
                    + batch.name() + "' (" + batch.id() + ")")
                    .orElseThrow(() -> new Refused("endpoint '" + endpoint + "' was deprovisioned meanwhile"));
            LOG.info("Bootstrap: re-keyed {} from batch '{}' ({})", endpoint, batch.name(), batch.id());
        } else {
            try {
                result = provisioning.provision(new ProvisionRequest(endpoint, batch.deviceSecurity(), null, null,
                        null, batch.tags(), null, batch.model()));
            } catch (RuntimeException e) {
                batches.forget(batch.id(), endpoint, !producedBefore);
                throw new Refused("endpoint '" + endpoint + "' cannot be provisioned: " + e.getMessage());
            }
            LOG.info("Bootstrap: provisioned {} from batch '{}' ({})", endpoint, batch.name(), batch.id());
        }
        Device device = result.device();
        return new Provisioned(endpoint, device.securityMode(), device.pskIdentity(), result.generatedPskKey());
    }

    static String registeredRightNow(String endpoint) {
        return "endpoint '" + endpoint + "' is registered right now; a device in service is not re-keyed by a"
                + " batch credential (deprovision it, or let its registration end, first)";
    }

    /** Records a refused bootstrap as a {@code rejected} event, and says so in the log (reasons hold no secret). */
    void refuse(String endpoint, String reason, String peer) {
        LOG.info("Bootstrap of {} from {} refused: {}", endpoint, peer, reason);
        writer.submit(new RegistryChange.Rejected(endpoint, "bootstrap refused: " + reason, peer,
                OffsetDateTime.now()));
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}

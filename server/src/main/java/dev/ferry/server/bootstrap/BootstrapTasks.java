package dev.ferry.server.bootstrap;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.eclipse.leshan.core.link.lwm2m.LwM2mLink;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributes;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.core.request.BootstrapDeleteRequest;
import org.eclipse.leshan.core.request.BootstrapDiscoverRequest;
import org.eclipse.leshan.core.request.BootstrapDownlinkRequest;
import org.eclipse.leshan.core.response.BootstrapDiscoverResponse;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.bootstrap.BootstrapConfig;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.eclipse.leshan.server.bootstrap.BootstrapTaskProvider;
import org.eclipse.leshan.server.bootstrap.BootstrapUtil;

import dev.ferry.server.device.SecurityMode;

/**
 * What the bootstrap server sends a device, in rounds.
 * <ol>
 * <li>On the Bootstrap-Request: reserve the device's place in its batch and start provisioning it on
 * {@link DeviceBootstrapper}'s thread; send Bootstrap-Discover of /0 (to learn which Security instance is the
 * bootstrap server's), then Bootstrap-Delete of /0 (every Security instance but the bootstrap server's, which the
 * client keeps, as the spec says) and of /1.</li>
 * <li>When those are answered: write the LwM2M server's Security instance (its URI, the device's own PSK
 * identity and key, short server id) at an instance id other than the bootstrap server's, and the Server
 * instance (short server id, lifetime, binding U); Leshan then sends Bootstrap-Finish.</li>
 * </ol>
 * Leshan's task provider is synchronous and runs on Californium threads, which must not wait on the database.
 * So provisioning is prepared asynchronously while the device answers the first round; it is normally done by
 * then. When it is not, the second round is a placeholder request that {@link ResumingBootstrapHandler} does not
 * send: it resumes the session from the provisioning thread once provisioning is done (or failed, or took longer
 * than {@link #PROVISIONING_DEADLINE_SECONDS}; then the session is cancelled before anything is written). Nothing
 * waits and nothing polls.
 */
final class BootstrapTasks implements BootstrapTaskProvider {
    static final int SHORT_SERVER_ID = 1;
    static final long PROVISIONING_DEADLINE_SECONDS = 30;
    private static final Map<Integer, String> OBJECT_VERSIONS = Map.of(0, "1.1", 1, "1.1", 2, "1.0");

    /** Where the device's LwM2M server is: the URI for a device of the given security mode. */
    interface ServerUris extends Function<SecurityMode, String> {
    }

    private static final class Pending {
        final CompletableFuture<DeviceBootstrapper.Provisioned> provisioned;
        /** The placeholder of the round that waits for provisioning; never sent to the device. */
        final BootstrapDiscoverRequest placeholder = new BootstrapDiscoverRequest(0);
        volatile Integer bootstrapInstance;

        Pending(CompletableFuture<DeviceBootstrapper.Provisioned> provisioned) {
            this.provisioned = provisioned.orTimeout(PROVISIONING_DEADLINE_SECONDS, TimeUnit.SECONDS);
        }
    }

    private final BatchCredentials credentials;
    private final DeviceBootstrapper bootstrapper;
    private final ServerUris serverUris;
    private final int lifetimeSeconds;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong waitRounds = new AtomicLong();

    BootstrapTasks(BatchCredentials credentials, DeviceBootstrapper bootstrapper, ServerUris serverUris,
            int lifetimeSeconds) {
        this.credentials = credentials;
        this.bootstrapper = bootstrapper;
        this.serverUris = serverUris;
        this.lifetimeSeconds = lifetimeSeconds;
    }

    @Override
    public Tasks getTasks(BootstrapSession session, List<LwM2mResponse> previousResponses) {
        if (previousResponses == null) {
            return start(session);
        }
        Pending p = pending.get(session.getId());
        if (p == null || session.isCancelled()) {
            session.cancel();
            return tasks(List.of(new BootstrapDiscoverRequest(0)), false);
        }
        if (p.bootstrapInstance == null && !previousResponses.isEmpty()
                && previousResponses.get(0) instanceof BootstrapDiscoverResponse discovered) {
            p.bootstrapInstance = discovered.isSuccess() ? bootstrapInstance(discovered.getObjectLinks()) : -1;
        }
        if (!p.provisioned.isDone()) {
            waitRounds.incrementAndGet();
            return tasks(List.of(p.placeholder), false);
        }
        DeviceBootstrapper.Provisioned device;
        try {
            device = p.provisioned.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof TimeoutException) {
                bootstrapper.refuse(session.getEndpoint(), "provisioning took longer than "
                        + PROVISIONING_DEADLINE_SECONDS + " s",
                        BatchAuthorizer.address(session.getClientTransportData()));
            }
            device = null; // a refusal is recorded already
        }
        if (device == null) {
            session.cancel(); // nothing gets written; Leshan stops the session before sending this request
            return tasks(List.of(new BootstrapDiscoverRequest(0)), false);
        }
        return tasks(writes(session, device, p.bootstrapInstance), true);
    }

    private Tasks start(BootstrapSession session) {
        String endpoint = session.getEndpoint();
        String peer = BatchAuthorizer.address(session.getClientTransportData());
        String batchId = session.getApplicationData() == null ? null
                : session.getApplicationData().get(BatchAuthorizer.BATCH_ID);
        BatchCredentials.State state = batchId == null ? null : credentials.byId(Long.parseLong(batchId)).orElse(null);
        if (state == null) {
            return null;
        }
        String refusal = state.reserve(endpoint, OffsetDateTime.now());
        if (refusal != null) {
            bootstrapper.refuse(endpoint, refusal, peer);
            return null; // Leshan answers the Bootstrap-Request with an error
        }
        pending.put(session.getId(), new Pending(bootstrapper.provision(state, endpoint, peer)));
        return tasks(List.of(new BootstrapDiscoverRequest(0), new BootstrapDeleteRequest("/0"),
                new BootstrapDeleteRequest("/1")), false);
    }

    private List<BootstrapDownlinkRequest<? extends LwM2mResponse>> writes(BootstrapSession session,
            DeviceBootstrapper.Provisioned device, Integer bootstrapInstance) {
        BootstrapConfig.ServerSecurity security = new BootstrapConfig.ServerSecurity();
        security.uri = serverUris.apply(device.mode());
        security.bootstrapServer = false;
        security.serverId = SHORT_SERVER_ID;
        security.serverPublicKey = new byte[0];
        if (device.mode() == SecurityMode.PSK) {
            security.securityMode = org.eclipse.leshan.core.SecurityMode.PSK;
            security.publicKeyOrId = device.pskIdentity().getBytes(StandardCharsets.UTF_8);
            security.secretKey = device.key();
        } else {
            security.securityMode = org.eclipse.leshan.core.SecurityMode.NO_SEC;
            security.publicKeyOrId = new byte[0];
            security.secretKey = new byte[0];
        }
        BootstrapConfig.ServerConfig server = new BootstrapConfig.ServerConfig();
        server.shortId = SHORT_SERVER_ID;
        server.lifetime = lifetimeSeconds;
        server.binding = EnumSet.of(BindingMode.U);
        // A client that cannot discover (LwM2M 1.0) most likely keeps its bootstrap account as instance 0.
        int bsInstance = bootstrapInstance == null || bootstrapInstance < 0 ? 0 : bootstrapInstance;
        int securityInstance = bsInstance == 0 ? 1 : 0;
        List<BootstrapDownlinkRequest<? extends LwM2mResponse>> requests = new ArrayList<>(2);
        requests.add(BootstrapUtil.toWriteRequest(securityInstance, security, session.getContentFormat()));
        requests.add(BootstrapUtil.toWriteRequest(0, server, session.getContentFormat()));
        return requests;
    }

    private static Integer bootstrapInstance(LwM2mLink[] links) {
        for (LwM2mLink link : links) {
            if (link.getPath().isObjectInstance() && link.getPath().getObjectId() == 0
                    && !link.getAttributes().contains(LwM2mAttributes.SHORT_SERVER_ID)) {
                return link.getPath().getObjectInstanceId(); // the instance without ssid is the bootstrap server's
            }
        }
        return -1;
    }

    private static Tasks tasks(List<BootstrapDownlinkRequest<? extends LwM2mResponse>> requests, boolean last) {
        Tasks tasks = new Tasks();
        tasks.requestsToSend = new ArrayList<>(requests);
        tasks.supportedObjects = OBJECT_VERSIONS;
        tasks.last = last;
        return tasks;
    }

    /**
     * What the session waits for before {@code request} can be answered, when {@code request} is the placeholder
     * of a round that waits for provisioning; null for requests to send.
     */
    CompletableFuture<?> placeholderOf(BootstrapSession session, BootstrapDownlinkRequest<?> request) {
        Pending p = pending.get(session.getId());
        return p != null && p.placeholder == request ? p.provisioned : null;
    }

    /** Forgets a session that ended or failed. */
    void ended(BootstrapSession session) {
        pending.remove(session.getId());
    }

    /** Rounds that waited for a device's provisioning, since start. */
    long waitRounds() {
        return waitRounds.get();
    }
}

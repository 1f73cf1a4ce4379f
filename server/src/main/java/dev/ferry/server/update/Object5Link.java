package dev.ferry.server.update;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.eclipse.leshan.core.node.LwM2mMultipleResource;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;

import dev.ferry.server.device.ReceiptClock;
import dev.ferry.server.lwm2m.DeviceRequestException;
import dev.ferry.server.lwm2m.DeviceRequestException.Kind;
import dev.ferry.server.lwm2m.DeviceResources;

/**
 * The requests an update session sends to a device's object 5 (and 3/0/3), asynchronously. Responses complete
 * futures on Leshan's threads; the engine moves them onto its own thread before acting.
 */
final class Object5Link {
    static final int FIRMWARE = 5;

    private final LeshanServer server;
    private final DeviceResources requests;
    private final Duration timeout;

    Object5Link(LeshanServer server, DeviceResources requests, Duration timeout) {
        this.server = server;
        this.requests = requests;
        this.timeout = timeout;
    }

    Registration registration(String endpoint) {
        return server.getRegistrationService().getByEndpoint(endpoint);
    }

    boolean isReachable(Registration registration) {
        return !registration.usesQueueMode() || server.getPresenceService().isClientAwake(registration);
    }

    /** An integer resource's value as the device answered it, stamped when the answer arrived. */
    record Sample(Long value, long seen) {
        Integer asInteger() {
            return value == null ? null : value.intValue();
        }
    }

    /** Starts observing an integer resource of object 5 and returns its current value. */
    CompletableFuture<Sample> observe(Registration registration, int resource) {
        return send(registration, new ObserveRequest(FIRMWARE, 0, resource), timeout)
                .thenApply(response -> new Sample(integer(response.getContent(), "/5/0/" + resource),
                        ReceiptClock.next()));
    }

    /** Reads an integer resource of object 5 once; the value is null when the device lacks it. */
    CompletableFuture<Sample> readInteger(Registration registration, int resource) {
        return readIntegers(registration, resource).thenApply(values -> new Sample(
                values.isEmpty() ? null : values.get(0), ReceiptClock.next()));
    }

    CompletableFuture<String> readString(Registration registration, int object, int resource) {
        return send(registration, new ReadRequest(object, 0, resource), timeout).thenApply(response ->
                response.getContent() instanceof LwM2mResource r && r.getValue() != null ? r.getValue().toString()
                        : null);
    }

    /** The values of a (possibly multi-instance) integer resource; empty when the device lacks it. */
    CompletableFuture<List<Long>> readIntegers(Registration registration, int resource) {
        return send(registration, new ReadRequest(FIRMWARE, 0, resource), timeout).handle((response, error) -> {
            if (error != null) {
                if (isNotFound(error)) {
                    return List.<Long>of();
                }
                throw new java.util.concurrent.CompletionException(unwrap(error));
            }
            List<Long> values = new ArrayList<>();
            if (response.getContent() instanceof LwM2mMultipleResource multiple) {
                multiple.getInstances().values().forEach(i -> values.add(((Number) i.getValue()).longValue()));
            } else if (response.getContent() instanceof LwM2mResource single && single.getValue() instanceof Number n) {
                values.add(n.longValue());
            }
            return values;
        });
    }

    CompletableFuture<Void> writePackageUri(Registration registration, String uri) {
        // Named by its path only: the request's own text holds the URI, and an HTTP one its download token, which
        // would reach failure details, the session's history and the log.
        return requests.send(registration, new WriteRequest(FIRMWARE, 0, 1, uri), timeout, "/5/0/1 (package URI)")
                .thenApply(r -> null);
    }

    /** Pushes the image into 5/0/0; the transfer is block-wise, so it gets the download's time limit. */
    CompletableFuture<Void> writePackage(Registration registration, byte[] image, Duration pushTimeout) {
        return send(registration, new WriteRequest(ContentFormat.OPAQUE, FIRMWARE, 0, 0, image), pushTimeout)
                .thenApply(r -> null);
    }

    CompletableFuture<Void> executeUpdate(Registration registration) {
        return send(registration, new ExecuteRequest(FIRMWARE, 0, 2), timeout).thenApply(r -> null);
    }

    private <T extends LwM2mResponse> CompletableFuture<T> send(Registration registration, DownlinkRequest<T> request,
            Duration limit) {
        return requests.send(registration, request, limit, String.valueOf(request));
    }

    private static long integer(LwM2mNode node, String path) {
        if (node instanceof LwM2mResource resource && resource.getValue() instanceof Number number) {
            return number.longValue();
        }
        throw new IllegalStateException("device returned no integer for " + path);
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** True when a failure is worth retrying: the device did not answer or could not be reached. */
    static boolean isTransient(Throwable error) {
        return !(unwrap(error) instanceof DeviceRequestException e && e.kind() == Kind.DEVICE_ERROR);
    }

    /** The CoAP code a device answered with, e.g. "4.05 METHOD_NOT_ALLOWED", or null if it did not answer. */
    static String deviceAnswer(Throwable error) {
        if (unwrap(error) instanceof DeviceRequestException e && e.kind() == Kind.DEVICE_ERROR) {
            return e.deviceCode() == null ? "an error" : codeOf(e.deviceCode());
        }
        return null;
    }

    private static String codeOf(String name) {
        try {
            org.eclipse.leshan.core.ResponseCode code = org.eclipse.leshan.core.ResponseCode.fromName(name);
            return code == null ? name
                    : String.format("%d.%02d %s", code.getCode() / 100, code.getCode() % 100, name);
        } catch (RuntimeException e) {
            return name;
        }
    }

    private static boolean isNotFound(Throwable error) {
        return unwrap(error) instanceof DeviceRequestException e && e.kind() == Kind.DEVICE_ERROR
                && "NOT_FOUND".equals(e.deviceCode());
    }
}

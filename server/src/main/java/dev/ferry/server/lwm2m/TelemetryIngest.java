package dev.ferry.server.lwm2m;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObject;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mResourceInstance;
import org.eclipse.leshan.core.node.ObjectLink;
import org.eclipse.leshan.core.node.TimestampedLwM2mNode;
import org.eclipse.leshan.core.node.TimestampedLwM2mNodes;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.SendRequest;
import org.eclipse.leshan.core.response.ObserveCompositeResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.server.observation.ObservationListener;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.send.SendListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.telemetry.TelemetryPoint;

/**
 * Turns what devices report (notifications of single and composite observations, LwM2M 1.1 Send) into telemetry
 * points and hands them to a non-blocking sink (the telemetry writer's queue): it runs on Leshan's threads and
 * never touches the database. Object 5 is left to update sessions. Values carry the device's own timestamp when
 * it sent one (SenML), else the time they arrived.
 */
public final class TelemetryIngest implements ObservationListener, SendListener {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryIngest.class);
    private static final int FIRMWARE_OBJECT = 5;

    private final Consumer<List<TelemetryPoint>> sink;
    private final Function<List<TelemetryPoint>, CompletableFuture<Void>> durableSink;
    private final Clock clock;

    /**
     * @param sink queues points without blocking (dropping, and counting, what does not fit)
     * @param durableSink queues a Send's points without blocking, all or none, and completes once they are
     *        committed; the Send is answered then (see {@link DurableSendResource})
     */
    public TelemetryIngest(Consumer<List<TelemetryPoint>> sink,
            Function<List<TelemetryPoint>, CompletableFuture<Void>> durableSink, Clock clock) {
        this.sink = sink;
        this.durableSink = durableSink;
        this.clock = clock;
    }

    @Override
    public void onResponse(SingleObservation observation, Registration registration, ObserveResponse response) {
        if (!response.isSuccess() || observation.getPath().getObjectId() == FIRMWARE_OBJECT) {
            return;
        }
        List<TelemetryPoint> points = new ArrayList<>();
        Instant now = clock.instant();
        List<TimestampedLwM2mNode> timestamped = response.getTimestampedLwM2mNodes();
        if (timestamped != null && !timestamped.isEmpty()) {
            for (TimestampedLwM2mNode node : timestamped) {
                flatten(registration.getEndpoint(), observation.getPath(), node.getNode(),
                        node.getTimestamp() != null ? node.getTimestamp() : now, points);
            }
        } else if (response.getContent() != null) {
            flatten(registration.getEndpoint(), observation.getPath(), response.getContent(), now, points);
        }
        sink.accept(points);
    }

    @Override
    public void onResponse(CompositeObservation observation, Registration registration,
            ObserveCompositeResponse response) {
        if (!response.isSuccess()) {
            return;
        }
        List<TelemetryPoint> points = new ArrayList<>();
        TimestampedLwM2mNodes timestamped = response.getTimestampedLwM2mNodes();
        if (timestamped != null && !timestamped.isEmpty()) {
            add(registration.getEndpoint(), timestamped, points);
        } else if (response.getContent() != null) {
            Instant now = clock.instant();
            for (Map.Entry<LwM2mPath, LwM2mNode> entry : response.getContent().entrySet()) {
                flatten(registration.getEndpoint(), entry.getKey(), entry.getValue(), now, points);
            }
        }
        sink.accept(points);
    }

    @Override
    public void dataReceived(Registration registration, TimestampedLwM2mNodes data, SendRequest request) {
        List<TelemetryPoint> points = new ArrayList<>();
        add(registration.getEndpoint(), data, points);
        DurableSendResource.attach(durableSink.apply(points));
    }

    @Override
    public void onError(Registration registration, String errorMessage, Exception error) {
        LOG.info("{} sent data that was refused: {}", registration == null ? "a device" : registration.getEndpoint(),
                errorMessage);
    }

    @Override
    public void newObservation(Observation observation, Registration registration) {
        // Nothing is stored until a value arrives.
    }

    @Override
    public void cancelled(Observation observation) {
        // The values already stored stay.
    }

    @Override
    public void onError(Observation observation, Registration registration, Exception error) {
        LOG.debug("{}: notification of {} failed: {}", registration == null ? "?" : registration.getEndpoint(),
                observation, error.toString());
    }

    private void add(String endpoint, TimestampedLwM2mNodes data, List<TelemetryPoint> points) {
        Instant now = clock.instant();
        for (Instant at : data.getTimestamps()) {
            for (Map.Entry<LwM2mPath, LwM2mNode> entry : data.getNodesAt(at).entrySet()) {
                flatten(endpoint, entry.getKey(), entry.getValue(), at != null ? at : now, points);
            }
        }
    }

    /** Every resource value under {@code node}, one point each; the firmware object's are skipped. */
    static void flatten(String endpoint, LwM2mPath path, LwM2mNode node, Instant at, List<TelemetryPoint> points) {
        if (path.getObjectId() != null && path.getObjectId() == FIRMWARE_OBJECT) {
            return;
        }
        if (node instanceof LwM2mObject object) {
            for (LwM2mObjectInstance instance : object.getInstances().values()) {
                flatten(endpoint, new LwM2mPath(object.getId(), instance.getId()), instance, at, points);
            }
        } else if (node instanceof LwM2mObjectInstance instance) {
            for (LwM2mResource resource : instance.getResources().values()) {
                flatten(endpoint, new LwM2mPath(path.getObjectId(), instance.getId(), resource.getId()), resource,
                        at, points);
            }
        } else if (node instanceof LwM2mResource resource) {
            if (resource.isMultiInstances()) {
                for (LwM2mResourceInstance instance : resource.getInstances().values()) {
                    points.add(point(endpoint, new LwM2mPath(path.getObjectId(), path.getObjectInstanceId(),
                            resource.getId(), instance.getId()), resource.getType(), instance.getValue(), at));
                }
            } else {
                points.add(point(endpoint, path, resource.getType(), resource.getValue(), at));
            }
        } else if (node instanceof LwM2mResourceInstance instance) {
            points.add(point(endpoint, path, instance.getType(), instance.getValue(), at));
        }
    }

    static TelemetryPoint point(String endpoint, LwM2mPath path, ResourceModel.Type type, Object value, Instant at) {
        String typeName = type == null ? "NONE" : type.name();
        Double number = null;
        String text = null;
        if (value instanceof Number n) {
            number = n.doubleValue();
        } else if (value instanceof Boolean b) {
            number = b ? 1.0 : 0.0;
        } else if (value instanceof Date d) {
            number = (double) (d.getTime() / 1000);
        } else if (value instanceof byte[] bytes) {
            text = "opaque, " + bytes.length + " bytes";
        } else if (value instanceof ObjectLink link) {
            text = link.getObjectId() + ":" + link.getObjectInstanceId();
        } else if (value != null) {
            text = value.toString();
        }
        return new TelemetryPoint(endpoint, path.toString(), at, typeName, number, text);
    }
}

package dev.ferry.server.lwm2m;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.core.LwM2m.Version;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;

import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;

/**
 * Keeps the registry current from Leshan's registration events. Runs on Leshan's threads, so it only builds
 * change values and hands them to the {@link RegistryWriter}; it never touches the database. The registration
 * itself goes along unserialized: Leshan's {@link Registration} is immutable (an update makes a new one), so the
 * writer can serialize it later on its own thread (see {@link DurableRegistrationStore}).
 */
final class RegistrationTracker implements RegistrationListener {
    private final RegistryWriter writer;
    private final DeviceInfoReader infoReader;

    RegistrationTracker(RegistryWriter writer, DeviceInfoReader infoReader) {
        this.writer = writer;
        this.infoReader = infoReader;
    }

    @Override
    public void registered(Registration registration, Registration previousReg,
            Collection<Observation> previousObservations) {
        writer.submit(new RegistryChange.Registered(registration.getEndpoint(), registration.getId(),
                registration.getLwM2mVersion().toString(), bindingOf(registration.getBindingMode()),
                registration.usesQueueMode(), supportedObjects(registration),
                ProvisionedOnlyAuthorizer.address(registration.getClientTransportData()),
                registration.getLifeTimeInSec(), OffsetDateTime.now(),
                () -> DurableRegistrationStore.serialize(registration)));
        infoReader.readAfterRegistration(registration);
    }

    @Override
    public void updated(RegistrationUpdate update, Registration updatedRegistration, Registration previousReg) {
        String objects = update.getObjectLinks() == null ? null
                : supportedObjects(updatedRegistration);
        writer.submit(new RegistryChange.Updated(updatedRegistration.getEndpoint(), updatedRegistration.getId(),
                ProvisionedOnlyAuthorizer.address(updatedRegistration.getClientTransportData()),
                updatedRegistration.getLifeTimeInSec(), objects, OffsetDateTime.now(),
                () -> DurableRegistrationStore.serialize(updatedRegistration)));
    }

    @Override
    public void unregistered(Registration registration, Collection<Observation> observations, boolean expired,
            Registration newReg) {
        writer.submit(new RegistryChange.Deregistered(registration.getEndpoint(), registration.getId(), expired,
                OffsetDateTime.now()));
    }

    static String bindingOf(EnumSet<BindingMode> modes) {
        return modes.stream().map(BindingMode::name).sorted().collect(Collectors.joining());
    }

    /**
     * The registration's object list, "/1/0,/1/1,/3/0,/5/0": each object instance the device declared, or the
     * object alone when it declared none; "@version" appended where it declared a non-default object version.
     */
    static String supportedObjects(Registration registration) {
        Map<Integer, TreeSet<Integer>> instances = new TreeMap<>();
        registration.getSupportedObject().keySet().forEach(id -> instances.put(id, new TreeSet<>()));
        for (LwM2mPath path : registration.getAvailableInstances()) {
            instances.computeIfAbsent(path.getObjectId(), id -> new TreeSet<>()).add(path.getObjectInstanceId());
        }
        List<String> entries = new ArrayList<>();
        instances.forEach((objectId, ids) -> {
            Version version = registration.getSupportedObject().get(objectId);
            String suffix = version == null || version.equals(Version.V1_0) ? "" : "@" + version;
            if (ids.isEmpty()) {
                entries.add("/" + objectId + suffix);
            }
            ids.forEach(instanceId -> entries.add("/" + objectId + "/" + instanceId + suffix));
        });
        return String.join(",", entries);
    }
}

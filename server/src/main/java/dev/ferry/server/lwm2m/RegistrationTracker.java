package dev.ferry.server.lwm2m;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

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
 * change values (the registration itself included, see {@link DurableRegistrationStore}) and hands them to the
 * {@link RegistryWriter}; it never touches the database.
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
                registration.usesQueueMode(), supportedObjects(registration.getSupportedObject()),
                ProvisionedOnlyAuthorizer.address(registration.getClientTransportData()),
                registration.getLifeTimeInSec(), OffsetDateTime.now(),
                DurableRegistrationStore.serialize(registration)));
        infoReader.readAfterRegistration(registration);
    }

    @Override
    public void updated(RegistrationUpdate update, Registration updatedRegistration, Registration previousReg) {
        String objects = update.getObjectLinks() == null ? null
                : supportedObjects(updatedRegistration.getSupportedObject());
        writer.submit(new RegistryChange.Updated(updatedRegistration.getEndpoint(), updatedRegistration.getId(),
                ProvisionedOnlyAuthorizer.address(updatedRegistration.getClientTransportData()),
                updatedRegistration.getLifeTimeInSec(), objects, OffsetDateTime.now(),
                DurableRegistrationStore.serialize(updatedRegistration)));
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

    /** "1,3,5" with "@version" appended where the device declared a non-default object version. */
    static String supportedObjects(Map<Integer, Version> objects) {
        return new TreeMap<>(objects).entrySet().stream()
                .map(e -> e.getValue() == null || e.getValue().equals(Version.V1_0) ? e.getKey().toString()
                        : e.getKey() + "@" + e.getValue())
                .collect(Collectors.joining(","));
    }
}

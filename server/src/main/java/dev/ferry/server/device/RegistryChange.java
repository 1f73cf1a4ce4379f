package dev.ferry.server.device;

import java.time.OffsetDateTime;

/**
 * A change to the registry observed on the LwM2M side. Changes are produced on Leshan/Californium threads and
 * written later, in batches, by {@link RegistryWriter}; they are plain values so producing one never blocks.
 */
public sealed interface RegistryChange {

    String endpoint();

    OffsetDateTime at();

    /** {@code stored} is the registration itself, written with the device row so that it survives a restart. */
    record Registered(String endpoint, String registrationId, String lwm2mVersion, String bindingMode,
            boolean queueMode, String supportedObjects, String peerAddress, long lifetimeSeconds,
            OffsetDateTime at, StoredForm stored) implements RegistryChange {
    }

    /** {@code stored} is the registration after the update (new expiry, maybe new address or objects). */
    record Updated(String endpoint, String registrationId, String peerAddress, long lifetimeSeconds,
            String supportedObjects, OffsetDateTime at, StoredForm stored) implements RegistryChange {
    }

    /**
     * A registration the registry stores without looking into it. The LwM2M side hands over its immutable
     * registration value and the writer serializes it on its own thread, so the thread that received the
     * registration pays nothing for persistence.
     */
    @FunctionalInterface
    interface StoredForm {
        StoredRegistration serialize();
    }

    /**
     * A registration as the LwM2M side serialized it, opaque to the registry.
     *
     * @param data the serialized registration
     * @param expiresAt its last update plus its lifetime
     */
    record StoredRegistration(String data, OffsetDateTime expiresAt) implements StoredForm {
        @Override
        public StoredRegistration serialize() {
            return this;
        }
    }

    record Deregistered(String endpoint, String registrationId, boolean expired, OffsetDateTime at)
            implements RegistryChange {
    }

    /** Object 3 values read after a registration; null fields were not readable. */
    record DeviceInfoRead(String endpoint, String manufacturer, String model, String serialNumber,
            String firmwareVersion, OffsetDateTime at) implements RegistryChange {
    }

    /**
     * Object 5 State (5/0/3) and Update Result (5/0/5) as read from the device; a null value was not read and
     * leaves the registry's copy as it is. {@code seen} is the {@link ReceiptClock} stamp of the response: the
     * registry keeps a value only if nothing received later is stored already.
     */
    record FirmwareStateRead(String endpoint, Integer state, Integer result, long seen, OffsetDateTime at)
            implements RegistryChange {

        /** A read whose response arrives now. */
        public FirmwareStateRead(String endpoint, Integer state, Integer result, OffsetDateTime at) {
            this(endpoint, state, result, ReceiptClock.next(), at);
        }
    }

    /**
     * A notification of 5/0/3 (State, {@code resourceId} 3) or 5/0/5 (Update Result, 5): keeps the registry's copy
     * of object 5 current between registrations, e.g. when a new image confirms itself after an update.
     * {@code seen} orders it with reads as in {@link FirmwareStateRead}.
     */
    record FirmwareResourceNotified(String endpoint, int resourceId, int value, long seen, OffsetDateTime at)
            implements RegistryChange {

        /** A notification that arrives now. */
        public FirmwareResourceNotified(String endpoint, int resourceId, int value, OffsetDateTime at) {
            this(endpoint, resourceId, value, ReceiptClock.next(), at);
        }
    }

    /** A refused attempt; {@code endpoint} is null when the device could not be identified. */
    record Rejected(String endpoint, String reason, String peerAddress, OffsetDateTime at)
            implements RegistryChange {
    }
}

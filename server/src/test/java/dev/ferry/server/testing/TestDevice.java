package dev.ferry.server.testing;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientProtocolProvider;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.resource.LwM2mObjectEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.request.argument.Arguments;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/** A real Leshan LwM2M client configured like a device of the fleet. */
public final class TestDevice implements AutoCloseable {
    public static final String MANUFACTURER = "Acme Instruments";
    public static final String MODEL = "thermo-2";

    private final LeshanClient client;
    private final DeviceObject deviceObject;
    private final CompletableFuture<Void> registered;
    private final List<String> reads;
    private final AtomicInteger bootstraps;

    private TestDevice(LeshanClient client, DeviceObject deviceObject, CompletableFuture<Void> registered,
            List<String> reads, AtomicInteger bootstraps) {
        this.bootstraps = bootstraps;
        this.client = client;
        this.deviceObject = deviceObject;
        this.registered = registered;
        this.reads = reads;
    }

    public static Builder device(String endpoint) {
        return new Builder(endpoint);
    }

    public static final class Builder {
        private final String endpoint;
        private Security security;
        private long lifetimeSeconds = 300;
        private boolean firmwareObject;
        private String firmwareVersion = "1.0.0";
        private List<CipherSuite> cipherSuites;
        private boolean bootstrap;

        private Builder(String endpoint) {
            this.endpoint = endpoint;
        }

        public Builder noSec(String serverUri) {
            security = Security.noSec(serverUri, 123);
            return this;
        }

        public Builder psk(String serverUri, String identity, byte[] key) {
            security = Security.psk(serverUri, 123, identity.getBytes(java.nio.charset.StandardCharsets.UTF_8), key);
            return this;
        }

        /**
         * A device fresh from the factory: only a bootstrap server account with its batch's PSK, no LwM2M server;
         * it bootstraps first and registers with what the bootstrap server wrote.
         */
        public Builder bootstrapPsk(String bootstrapUri, String identity, byte[] key) {
            security = Security.pskBootstrap(bootstrapUri, identity.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    key);
            bootstrap = true;
            return this;
        }

        /**
         * A device fresh from the factory whose only credential is its batch's bootstrap certificate and key; it
         * trusts the bootstrap server's certificate {@code serverCertificate}.
         */
        public Builder bootstrapX509(String bootstrapUri, X509Certificate certificate, PrivateKey key,
                X509Certificate serverCertificate) {
            try {
                security = Security.x509Bootstrap(bootstrapUri, certificate.getEncoded(), key.getEncoded(),
                        serverCertificate.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
            bootstrap = true;
            return this;
        }

        /** A device that bootstraps over plain CoAP, without any credential. */
        public Builder bootstrapNoSec(String bootstrapUri) {
            security = Security.noSecBootstrap(bootstrapUri);
            bootstrap = true;
            return this;
        }

        public Builder rpk(String serverUri, KeyPair deviceKeys, PublicKey serverKey) {
            security = Security.rpk(serverUri, 123, deviceKeys.getPublic().getEncoded(),
                    deviceKeys.getPrivate().getEncoded(), serverKey.getEncoded());
            return this;
        }

        public Builder x509(String serverUri, X509Certificate deviceCertificate, PrivateKey deviceKey,
                X509Certificate serverCertificate) {
            try {
                security = Security.x509(serverUri, 123, deviceCertificate.getEncoded(), deviceKey.getEncoded(),
                        serverCertificate.getEncoded());
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
            return this;
        }

        public Builder lifetime(long seconds) {
            lifetimeSeconds = seconds;
            return this;
        }

        public Builder withFirmwareUpdateObject() {
            firmwareObject = true;
            return this;
        }

        public Builder firmwareVersion(String version) {
            firmwareVersion = version;
            return this;
        }

        public Builder cipherSuites(CipherSuite... suites) {
            cipherSuites = List.of(suites);
            return this;
        }

        public TestDevice start() {
            ObjectsInitializer initializer = new ObjectsInitializer(new StaticModel(ObjectLoader.loadAllDefault()));
            initializer.setInstancesForObject(LwM2mId.SECURITY, security);
            if (bootstrap) {
                initializer.setClassForObject(LwM2mId.SERVER, Server.class);
            } else {
                initializer.setInstancesForObject(LwM2mId.SERVER, new Server(123, lifetimeSeconds));
            }
            List<String> reads = new java.util.concurrent.CopyOnWriteArrayList<>();
            DeviceObject deviceObject = new DeviceObject(endpoint, firmwareVersion, reads);
            initializer.setInstancesForObject(LwM2mId.DEVICE, deviceObject);
            List<LwM2mObjectEnabler> enablers = new ArrayList<>(
                    initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE));
            if (firmwareObject) {
                initializer.setInstancesForObject(LwM2mId.FIRMWARE, new FirmwareObject(reads));
                enablers.add(initializer.create(LwM2mId.FIRMWARE));
            }

            CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(
                    new CoapClientProtocolProvider(), new CoapsClientProtocolProvider());
            Configuration configuration = endpoints.createDefaultConfiguration();
            if (cipherSuites != null) {
                configuration.set(DtlsConfig.DTLS_CIPHER_SUITES, cipherSuites);
            }
            endpoints.setConfiguration(configuration);
            endpoints.setClientAddress(java.net.InetAddress.getLoopbackAddress());
            LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
            builder.setObjects(enablers);
            builder.setEndpointsProviders(endpoints.build());
            LeshanClient client = builder.build();
            CompletableFuture<Void> registered = new CompletableFuture<>();
            AtomicInteger bootstraps = new AtomicInteger();
            client.addObserver(new LwM2mClientObserverAdapter() {
                @Override
                public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationId) {
                    registered.complete(null);
                }

                @Override
                public void onBootstrapSuccess(LwM2mServer server,
                        org.eclipse.leshan.core.request.BootstrapRequest request) {
                    bootstraps.incrementAndGet();
                }
            });
            client.start();
            return new TestDevice(client, deviceObject, registered, reads, bootstraps);
        }
    }

    public LeshanClient client() {
        return client;
    }

    /**
     * The reads of objects 3 and 5 the server sent, in the order they arrived: "3/0" for the whole instance, "3/0/3"
     * for one resource of object 3 (the client's own reads are not counted).
     */
    public List<String> reads() {
        return List.copyOf(reads);
    }

    /** Bootstraps the client saw finish successfully. */
    public int bootstrapCount() {
        return bootstraps.get();
    }

    public int rebootCount() {
        return deviceObject.reboots.get();
    }

    /** Stops like a device losing power: no deregistration, the server only notices when the lifetime ends. */
    public void powerOff() {
        client.destroy(false);
    }

    /**
     * Deregisters cleanly and stops. The client only deregisters from servers it has seen acknowledge its
     * registration, so this first waits for that acknowledgement to reach the client.
     */
    public void deregisterAndStop() {
        try {
            registered.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the registration to complete", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the device never saw its registration acknowledged", e);
        }
        client.destroy(true);
    }

    @Override
    public void close() {
        client.destroy(false);
    }

    /** Object 3 with the identity resources the server reads after registration, and Reboot. */
    public static final class DeviceObject extends BaseInstanceEnabler {
        private final String serial;
        private final String firmwareVersion;
        private final AtomicInteger reboots = new AtomicInteger();
        private final List<String> reads;
        private final ThreadLocal<Boolean> readingInstance = ThreadLocal.withInitial(() -> false);

        /** Leshan's object factory needs a public no-argument constructor; instances come from the other one. */
        public DeviceObject() {
            this("unknown", "0.0.0", new java.util.concurrent.CopyOnWriteArrayList<>());
        }

        DeviceObject(String endpoint, String firmwareVersion, List<String> reads) {
            this.serial = "SN-" + endpoint;
            this.firmwareVersion = firmwareVersion;
            this.reads = reads;
        }

        @Override
        public ReadResponse read(LwM2mServer server) {
            if (!server.isSystem()) {
                reads.add("3/0");
            }
            readingInstance.set(true);
            try {
                return super.read(server);
            } finally {
                readingInstance.set(false);
            }
        }

        @Override
        public ReadResponse read(LwM2mServer server, int resourceId) {
            if (!readingInstance.get() && !server.isSystem()) {
                reads.add("3/0/" + resourceId);
            }
            return switch (resourceId) {
            case 0 -> ReadResponse.success(resourceId, MANUFACTURER);
            case 1 -> ReadResponse.success(resourceId, MODEL);
            case 2 -> ReadResponse.success(resourceId, serial);
            case 3 -> ReadResponse.success(resourceId, firmwareVersion);
            case 16 -> ReadResponse.success(resourceId, "U");
            default -> super.read(server, resourceId);
            };
        }

        @Override
        public ExecuteResponse execute(LwM2mServer server, int resourceId, Arguments arguments) {
            if (resourceId == 4) {
                reboots.incrementAndGet();
                return ExecuteResponse.success();
            }
            return super.execute(server, resourceId, arguments);
        }

        @Override
        public List<Integer> getAvailableResourceIds(org.eclipse.leshan.core.model.ObjectModel model) {
            return List.of(0, 1, 2, 3, 4, 16);
        }
    }

    /** Object 5 in its idle state, enough for the server to read State and Update Result. */
    public static final class FirmwareObject extends BaseInstanceEnabler {
        private volatile String packageUri = "";
        private final List<String> reads;

        public FirmwareObject() {
            this(new java.util.concurrent.CopyOnWriteArrayList<>());
        }

        FirmwareObject(List<String> reads) {
            // default state: idle, no package
            this.reads = reads;
        }

        @Override
        public ReadResponse read(LwM2mServer server) {
            if (!server.isSystem()) {
                reads.add("5/0");
            }
            return super.read(server);
        }

        @Override
        public ReadResponse read(LwM2mServer server, int resourceId) {
            return switch (resourceId) {
            case 1 -> ReadResponse.success(resourceId, packageUri);
            case 3 -> ReadResponse.success(resourceId, 0L);
            case 5 -> ReadResponse.success(resourceId, 0L);
            default -> super.read(server, resourceId);
            };
        }

        @Override
        public WriteResponse write(LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
            if (resourceId == 1) {
                packageUri = (String) value.getValue();
                return WriteResponse.success();
            }
            return super.write(server, replace, resourceId, value);
        }

        @Override
        public List<Integer> getAvailableResourceIds(org.eclipse.leshan.core.model.ObjectModel model) {
            return List.of(1, 3, 5);
        }
    }
}

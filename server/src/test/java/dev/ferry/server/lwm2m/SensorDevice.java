package dev.ferry.server.lwm2m;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/**
 * A real Leshan client carrying a temperature sensor (IPSO object 3303, declared without a version, as Zephyr's
 * sample does) and a vendor valve object (10250) that the server knows only once its DDF is uploaded. The
 * client's own models are written here from the objects' definitions, independently of the server's table.
 */
final class SensorDevice implements AutoCloseable {
    static final String TEMPERATURE_DDF = """
            <?xml version="1.0" encoding="UTF-8"?>
            <LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://openmobilealliance.org/tech/profiles/LWM2M.xsd">
            <Object ObjectType="MODefinition"><Name>Temperature</Name><Description1></Description1>
            <ObjectID>3303</ObjectID><ObjectURN>urn:oma:lwm2m:ext:3303</ObjectURN><LWM2MVersion>1.0</LWM2MVersion>
            <ObjectVersion>1.0</ObjectVersion><MultipleInstances>Multiple</MultipleInstances>
            <Mandatory>Optional</Mandatory><Resources>
            <Item ID="5700"><Name>Sensor Value</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
            <Mandatory>Mandatory</Mandatory><Type>Float</Type><RangeEnumeration></RangeEnumeration><Units></Units>
            <Description></Description></Item>
            <Item ID="5701"><Name>Sensor Units</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
            <Mandatory>Optional</Mandatory><Type>String</Type><RangeEnumeration></RangeEnumeration><Units></Units>
            <Description></Description></Item>
            <Item ID="5750"><Name>Application Type</Name><Operations>RW</Operations><MultipleInstances>Single</MultipleInstances>
            <Mandatory>Optional</Mandatory><Type>String</Type><RangeEnumeration></RangeEnumeration><Units></Units>
            <Description></Description></Item>
            </Resources><Description2></Description2></Object></LWM2M>
            """;
    static final String VALVE_DDF = """
            <?xml version="1.0" encoding="UTF-8"?>
            <LWM2M xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://openmobilealliance.org/tech/profiles/LWM2M.xsd">
            <Object ObjectType="MODefinition"><Name>Irrigation Valve</Name><Description1>A test valve</Description1>
            <ObjectID>10250</ObjectID><ObjectURN>urn:oma:lwm2m:x:10250</ObjectURN><LWM2MVersion>1.0</LWM2MVersion>
            <ObjectVersion>1.0</ObjectVersion><MultipleInstances>Multiple</MultipleInstances>
            <Mandatory>Optional</Mandatory><Resources>
            <Item ID="1"><Name>Opening</Name><Operations>RW</Operations><MultipleInstances>Single</MultipleInstances>
            <Mandatory>Mandatory</Mandatory><Type>Integer</Type><RangeEnumeration>0..100</RangeEnumeration>
            <Units>%</Units><Description>How far the valve is open</Description></Item>
            </Resources><Description2></Description2></Object></LWM2M>
            """;

    private final LeshanClient client;
    private final CompletableFuture<Void> registered = new CompletableFuture<>();
    final Temperature temperature = new Temperature();
    final Valve valve = new Valve();
    // Shared with the client, so that its notification timers stop with it.
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2, task -> {
        Thread thread = new Thread(task, "sim-sensor-device");
        thread.setDaemon(true);
        return thread;
    });

    SensorDevice(String endpoint, String serverUri) throws Exception {
        List<ObjectModel> models = new ArrayList<>(ObjectLoader.loadDefault());
        models.addAll(parse(TEMPERATURE_DDF));
        models.addAll(parse(VALVE_DDF));
        ObjectsInitializer initializer = new ObjectsInitializer(new StaticModel(models));
        initializer.setInstancesForObject(LwM2mId.SECURITY, Security.noSec(serverUri, 123));
        initializer.setInstancesForObject(LwM2mId.SERVER, new Server(123, 600));
        initializer.setInstancesForObject(LwM2mId.DEVICE, new Device("Acme", "thermo-9", "SN-1"));
        initializer.setInstancesForObject(3303, temperature);
        initializer.setInstancesForObject(10250, valve);
        CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(
                new CoapClientProtocolProvider());
        endpoints.setClientAddress(InetAddress.getLoopbackAddress());
        LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
        builder.setObjects(initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE, 3303, 10250));
        builder.setEndpointsProviders(endpoints.build());
        builder.setSharedExecutor(threads);
        client = builder.build();
        client.addObserver(new LwM2mClientObserverAdapter() {
            @Override
            public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationId) {
                registered.complete(null);
            }
        });
        client.start();
    }

    private static List<ObjectModel> parse(String ddf) throws Exception {
        return ObjectLoader.loadDdfFile(new ByteArrayInputStream(ddf.getBytes(StandardCharsets.UTF_8)), "test", true);
    }

    void awaitRegistered() throws Exception {
        registered.get(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        client.destroy(false);
        threads.shutdownNow();
    }

    public static final class Temperature extends BaseInstanceEnabler {
        volatile double celsius = 21.5;
        volatile String applicationType = "unset";

        public Temperature() {
        }

        @Override
        public ReadResponse read(LwM2mServer server, int resourceId) {
            return switch (resourceId) {
            case 5700 -> ReadResponse.success(resourceId, celsius);
            case 5701 -> ReadResponse.success(resourceId, "Cel");
            case 5750 -> ReadResponse.success(resourceId, applicationType);
            default -> super.read(server, resourceId);
            };
        }

        @Override
        public WriteResponse write(LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
            if (resourceId != 5750) {
                return super.write(server, replace, resourceId, value);
            }
            applicationType = (String) value.getValue();
            return WriteResponse.success();
        }

        void set(double value) {
            celsius = value;
            fireResourceChange(5700);
        }

        @Override
        public List<Integer> getAvailableResourceIds(ObjectModel model) {
            return List.of(5700, 5701, 5750);
        }
    }

    public static final class Valve extends BaseInstanceEnabler {
        volatile long opening = 40;

        public Valve() {
        }

        @Override
        public ReadResponse read(LwM2mServer server, int resourceId) {
            return resourceId == 1 ? ReadResponse.success(resourceId, opening) : super.read(server, resourceId);
        }

        @Override
        public WriteResponse write(LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
            if (resourceId != 1) {
                return super.write(server, replace, resourceId, value);
            }
            opening = (Long) value.getValue();
            return WriteResponse.success();
        }

        @Override
        public List<Integer> getAvailableResourceIds(ObjectModel model) {
            return List.of(1);
        }
    }
}

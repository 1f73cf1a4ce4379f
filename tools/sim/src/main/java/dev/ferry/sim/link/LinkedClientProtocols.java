package dev.ferry.sim.link;

import java.net.InetSocketAddress;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointFactory;
import org.eclipse.leshan.client.californium.endpoint.ClientProtocolProvider;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientEndpointFactory;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientEndpointFactory;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientProtocolProvider;

/** Leshan client protocol providers whose connectors send through a device's {@link SimLink}. */
public final class LinkedClientProtocols {
    private LinkedClientProtocols() {
    }

    public static ClientProtocolProvider coap(SimLink link) {
        return new CoapClientProtocolProvider() {
            @Override
            public CaliforniumClientEndpointFactory createDefaultEndpointFactory() {
                return new CoapClientEndpointFactory() {
                    @Override
                    protected Connector createConnector(InetSocketAddress address, Configuration configuration) {
                        return new SimUdpConnector(address, configuration, link);
                    }
                };
            }
        };
    }

    public static ClientProtocolProvider coaps(SimLink link) {
        return new CoapsClientProtocolProvider() {
            @Override
            public CaliforniumClientEndpointFactory createDefaultEndpointFactory() {
                return new CoapsClientEndpointFactory() {
                    @Override
                    protected Connector createSecuredConnector(DtlsConnectorConfig configuration) {
                        return new SimDtlsConnector(configuration, link);
                    }
                };
            }
        };
    }
}

package dev.ferry.server.lwm2m;

import org.eclipse.californium.elements.RawDataChannel;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;

/** Scandium's DTLS connector, answering firmware blocks without the CoAP stack (see {@link StatelessAnswers}). */
final class StatelessDtlsConnector extends DTLSConnector {
    private final StatelessAnswers stateless;

    StatelessDtlsConnector(DtlsConnectorConfig config, StatelessAnswers stateless) {
        super(config);
        this.stateless = stateless;
    }

    @Override
    public void setRawDataReceiver(RawDataChannel stack) {
        super.setRawDataReceiver(stateless.before(stack, this::send));
    }
}

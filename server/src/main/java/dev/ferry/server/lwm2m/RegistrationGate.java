package dev.ferry.server.lwm2m;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.registration.RegisterResource;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;

/**
 * The registration interface ({@code /rd}) in front of Leshan's {@link RegisterResource}: a registration or
 * registration update whose query parameters {@link RegistrationChecks} refuses is answered here with the reason
 * as a diagnostic payload, logged in one line and recorded as a {@code rejected} device event; everything else goes
 * to Leshan unchanged.
 */
final class RegistrationGate extends CoapResource {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrationGate.class);

    private final Resource leshan;
    private final RegistrationChecks checks;
    private final RegistrationService registrations;
    private final RegistryWriter writer;

    private RegistrationGate(Resource leshan, RegistrationChecks checks, RegistrationService registrations,
            RegistryWriter writer) {
        super(RegisterResource.RESOURCE_NAME);
        this.leshan = leshan;
        this.checks = checks;
        this.registrations = registrations;
        this.writer = writer;
        getAttributes().addResourceType("core.rd");
    }

    /** Puts a gate in front of the {@code /rd} resource of each of the server's Californium endpoint providers. */
    static void install(LeshanServer server, RegistrationChecks checks, RegistryWriter writer) {
        server.getEndpointsProvider().stream()
                .filter(CaliforniumServerEndpointsProvider.class::isInstance)
                .map(p -> ((CaliforniumServerEndpointsProvider) p).getCoapServer().getRoot())
                .forEach(root -> {
                    Resource leshan = root.getChild(RegisterResource.RESOURCE_NAME);
                    if (leshan == null) {
                        throw new IllegalStateException("Leshan's CoAP server has no /rd resource to guard");
                    }
                    root.delete(leshan);
                    root.add(new RegistrationGate(leshan, checks, server.getRegistrationService(), writer));
                });
    }

    @Override
    public void handleRequest(Exchange exchange) {
        Request request = exchange.getRequest();
        List<String> path = request.getOptions().getUriPath();
        RegistrationChecks.Refusal refusal = null;
        if (request.getCode() == Code.POST && path.size() == 1) {
            refusal = checks.register(request.getOptions().getUriQuery());
        } else if (request.getCode() == Code.POST && path.size() == 2) {
            refusal = checks.update(request.getOptions().getUriQuery());
        }
        if (refusal == null) {
            leshan.handleRequest(exchange);
            return;
        }
        String what = path.size() == 1 ? "registration" : "registration update of /rd/" + path.get(1);
        String endpoint = path.size() == 1 ? endpointParameter(request) : endpointOfRegistration(path.get(1));
        String peer = ProvisionedOnlyAuthorizer.address(request.getSourceContext().getPeerAddress());
        LOG.info("Refused {} of endpoint {} from {} with {}: {}", what, printable(endpoint), peer, refusal.code(),
                printable(refusal.reason()));
        writer.submit(new RegistryChange.Rejected(endpoint, what + " refused: " + refusal.reason(), peer,
                OffsetDateTime.now()));
        // No content format: the payload is a diagnostic message (RFC 7252, 5.5.2).
        Response response = new Response(refusal.code());
        response.setPayload(refusal.reason());
        exchange.sendResponse(response);
    }

    /** What the device sent, with control characters replaced, so that it stays on its one log line. */
    private static String printable(String text) {
        return text == null ? null : text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    private static String endpointParameter(Request request) {
        return request.getOptions().getUriQuery().stream().filter(p -> p.startsWith("ep=")).map(p -> p.substring(3))
                .filter(name -> !name.isEmpty()).findFirst().orElse(null);
    }

    private String endpointOfRegistration(String registrationId) {
        Registration registration = registrations.getById(registrationId);
        return registration == null ? null : registration.getEndpoint();
    }

    /** Registration updates are addressed to {@code /rd/{id}}: this resource answers for all of them. */
    @Override
    public Resource getChild(String name) {
        return this;
    }
}

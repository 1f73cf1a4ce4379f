package dev.ferry.server.lwm2m;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * LwM2M Send ({@code /dp}) answered only once its values are committed. Leshan's own resource decodes and
 * validates the request and answers 2.04 before its listeners run, so a crash right after could lose values the
 * device was told were stored, and it will not send them again. This resource runs Leshan's on a held exchange:
 * Leshan's answer is kept, the ingest attaches the commit of the values it queued (see {@link #attach}), and the
 * device then gets an empty ACK at once (so that it does not retransmit) and the 2.04 once the values are in the
 * database; 5.03 with a Max-Age when the writer is full or stopping or nothing took the values (the server is
 * starting), so that the device tries again later, and 5.00 when the database refused them. Nothing waits on a
 * Californium thread.
 */
final class DurableSendResource extends CoapResource {
    /** How long a device's Send waits for its commit before it is told to try again. */
    static final long COMMIT_TIMEOUT_SECONDS = 30;
    /** Max-Age of a 5.03: when the device may try again. */
    private static final long RETRY_AFTER_SECONDS = 5;
    private static final ThreadLocal<CompletableFuture<Void>[]> PENDING = new ThreadLocal<>();

    private final CoapResource leshans;

    DurableSendResource(CoapResource leshans) {
        super(leshans.getName());
        this.leshans = leshans;
        setVisible(leshans.isVisible());
    }

    /**
     * Called by the ingest on the thread handling the Send, with the commit of the values it queued. Outside a
     * Send (or when the Send was not taken through this resource) it does nothing.
     */
    static void attach(CompletableFuture<Void> committed) {
        CompletableFuture<Void>[] slot = PENDING.get();
        if (slot != null) {
            slot[0] = committed;
        }
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Held held = new Held(exchange.advanced(), this);
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] slot = new CompletableFuture[1];
        PENDING.set(slot);
        try {
            leshans.handlePOST(held);
        } finally {
            PENDING.remove();
        }
        CompletableFuture<Void> committed = slot[0];
        if (held.answer == null) {
            return; // Leshan answered in a way not held here: it went out already
        }
        if (held.answer.getCode() != ResponseCode.CHANGED) {
            exchange.respond(held.answer);
            return;
        }
        if (committed == null) {
            // Accepted by Leshan, but no ingest took the values (the server is starting or stopping).
            exchange.respond(refusal(new TimeoutException()));
            return;
        }
        if (!committed.isDone()) {
            exchange.accept();
        }
        committed.orTimeout(COMMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((done, failure) -> {
            if (failure == null) {
                exchange.respond(held.answer);
            } else {
                exchange.respond(refusal(failure));
            }
        });
    }

    private static Response refusal(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
        if (cause instanceof dev.ferry.server.telemetry.TelemetryWriter.NotStored notStored
                && !notStored.overloaded()) {
            Response response = new Response(ResponseCode.INTERNAL_SERVER_ERROR);
            response.setPayload("the values could not be stored; send them again");
            return response;
        }
        Response response = new Response(ResponseCode.SERVICE_UNAVAILABLE);
        response.getOptions().setMaxAge(RETRY_AFTER_SECONDS);
        response.setPayload(cause instanceof TimeoutException ? "the server is behind; send the values again later"
                : "the server cannot take the values now; send them again later");
        return response;
    }

    /** An exchange whose answer is kept instead of sent. */
    private static final class Held extends CoapExchange {
        private Response answer;

        Held(Exchange exchange, CoapResource resource) {
            super(exchange, resource);
        }

        @Override
        public void respond(ResponseCode code) {
            answer = new Response(code);
        }

        @Override
        public void respond(ResponseCode code, String payload) {
            answer = new Response(code);
            answer.setPayload(payload);
        }

        @Override
        public void respond(Response response) {
            answer = response;
        }
    }
}

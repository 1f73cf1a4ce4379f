package dev.ferry.server.distribution;

import java.security.Principal;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

import dev.ferry.server.firmware.PublishedImages;

/**
 * {@code coap(s)://host/fw/<sha256>}: published images served block-wise (RFC 7959 Block2) at whatever block
 * size from 16 up to the server's maximum the client asks for, with Size2 and an ETag, so a device can start, stop
 * and resume at any block. Over CoAPS the device must be provisioned and allowed the image.
 *
 * <p>The same answers are also given without the CoAP stack ({@link #statelessAnswers()}): a
 * confirmable GET of a block is idempotent, so it may be answered again if it is repeated (RFC 7252, 4.5), and
 * the stack's per-message state (deduplication, exchange store) buys a download nothing.
 */
public final class CoapFirmwareResource extends CoapResource {
    public static final String NAME = "fw";

    private final FirmwareBlockAnswers answers;
    private final ImageResource image = new ImageResource();
    private final io.micrometer.core.instrument.Counter coapBlocks;
    private final io.micrometer.core.instrument.Counter coapsBlocks;
    private final DownloadProgress progress;

    /**
     * @param deviceOfPeer the provisioned endpoint a DTLS peer authenticated as
     * @param maxBlockSize the largest block served, a power of two from 16 to 1024
     */
    public CoapFirmwareResource(PublishedImages images, ImageBlocks blocks,
            Function<Principal, Optional<String>> deviceOfPeer, FirmwareAccess access, int maxBlockSize,
            io.micrometer.core.instrument.MeterRegistry meters, DownloadProgress progress) {
        super(NAME);
        this.progress = progress;
        this.answers = new FirmwareBlockAnswers(images, blocks, deviceOfPeer, access, maxBlockSize);
        this.coapBlocks = blocksServed(meters, "coap");
        this.coapsBlocks = blocksServed(meters, "coaps");
        getAttributes().setTitle("Firmware images by SHA-256");
        setVisible(false);
    }

    /**
     * Answers a confirmable GET (the only requests the connectors hand over) of {@code /fw/...} as the resource
     * would, over CoAPS with the same access rules, or returns null for other paths and for observe and Block1
     * requests, which the CoAP stack then handles as usual.
     */
    public Function<Request, Response> statelessAnswers() {
        return request -> {
            List<String> path = request.getOptions().getUriPath();
            if (path.isEmpty() || !NAME.equals(path.get(0)) || request.getOptions().hasObserve()
                    || request.getOptions().hasBlock1()) {
                return null;
            }
            return counted(answers.answer(request.getOptions(), request.getSourceContext().getPeerIdentity()),
                    request);
        };
    }

    private static io.micrometer.core.instrument.Counter blocksServed(io.micrometer.core.instrument.MeterRegistry meters,
            String transport) {
        return io.micrometer.core.instrument.Counter.builder("ferry.firmware.blocks.served")
                .description("Firmware image blocks served to devices over CoAP block-wise transfer, by transport")
                .tag("transport", transport).register(meters);
    }

    /**
     * Counts a block answered with content (2.05), and how far the device has fetched its image; refusals and 2.03
     * revalidations are not blocks.
     */
    private Response counted(Response response, Request request) {
        java.security.Principal peer = request.getSourceContext().getPeerIdentity();
        if (response != null && response.getCode() == ResponseCode.CONTENT) {
            (peer == null ? coapBlocks : coapsBlocks).increment();
            var block = response.getOptions().getBlock2();
            Integer size = response.getOptions().getSize2();
            if (block != null && size != null) {
                progress.served(peer, request.getSourceContext().getPeerAddress(),
                        request.getOptions().getUriPath().get(1), block.getOffset() + response.getPayloadSize(), size);
            }
        }
        return response;
    }

    @Override
    public Resource getChild(String name) {
        return image;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        exchange.respond(ResponseCode.NOT_FOUND, "ask for /fw/<sha256 of the image>");
    }

    /** One shared handler for every {@code /fw/<sha256>}; the hash is read from the request path. */
    private final class ImageResource extends CoapResource {
        ImageResource() {
            super("image");
            setVisible(false);
        }

        @Override
        public Resource getChild(String name) {
            return null;
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            Request request = exchange.advanced().getRequest();
            exchange.respond(counted(answers.answer(exchange.getRequestOptions(),
                    request.getSourceContext().getPeerIdentity()), request));
        }
    }
}

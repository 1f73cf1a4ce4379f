package dev.ferry.server.distribution;

import java.io.IOException;
import java.security.Principal;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.firmware.Firmware;
import dev.ferry.server.firmware.PublishedImages;

/**
 * {@code coap(s)://host/fw/<sha256>}: published images served block-wise (RFC 7959 Block2) at whatever block
 * size from 16 up to the server's maximum the client asks for, with Size2 and an ETag, so a device can start, stop
 * and resume at any block. Over CoAPS the device must be provisioned and allowed the image.
 */
public final class CoapFirmwareResource extends CoapResource {
    private static final Logger LOG = LoggerFactory.getLogger(CoapFirmwareResource.class);
    public static final String NAME = "fw";

    private final PublishedImages images;
    private final ImageBlocks blocks;
    private final Function<Principal, Optional<String>> deviceOfPeer;
    private final FirmwareAccess access;
    private final int maxSzx;
    private final ImageResource image = new ImageResource();

    /**
     * @param deviceOfPeer the provisioned endpoint a DTLS peer authenticated as
     * @param maxBlockSize the largest block served, a power of two from 16 to 1024
     */
    public CoapFirmwareResource(PublishedImages images, ImageBlocks blocks,
            Function<Principal, Optional<String>> deviceOfPeer, FirmwareAccess access, int maxBlockSize) {
        super(NAME);
        this.images = images;
        this.blocks = blocks;
        this.deviceOfPeer = deviceOfPeer;
        this.access = access;
        this.maxSzx = BlockOption.size2Szx(maxBlockSize);
        getAttributes().setTitle("Firmware images by SHA-256");
        setVisible(false);
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
            List<String> path = exchange.getRequestOptions().getUriPath();
            String sha256 = path.size() == 2 ? path.get(1) : "";
            if (!BlobStore.isSha256Hex(sha256)) {
                exchange.respond(ResponseCode.NOT_FOUND, "ask for /fw/<sha256>: 64 lower-case hex digits");
                return;
            }
            Optional<Firmware> firmware = images.bySha256(sha256);
            if (firmware.isEmpty()) {
                exchange.respond(ResponseCode.NOT_FOUND, "no published image has SHA-256 " + sha256);
                return;
            }
            Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
            if (peer != null) {
                Optional<String> endpoint = deviceOfPeer.apply(peer);
                if (endpoint.isEmpty()) {
                    exchange.respond(ResponseCode.UNAUTHORIZED, "not a provisioned device");
                    return;
                }
                if (!access.mayFetch(endpoint.get(), firmware.get())) {
                    exchange.respond(ResponseCode.FORBIDDEN, "this image is not assigned to " + endpoint.get());
                    return;
                }
            }
            serve(exchange, firmware.get());
        }

        private void serve(CoapExchange exchange, Firmware firmware) {
            byte[] etag = HexFormat.of().parseHex(firmware.sha256().substring(0, 16));
            OptionSet request = exchange.getRequestOptions();
            BlockOption asked = request.getBlock2();
            if (asked == null && request.containsETag(etag)) {
                Response valid = new Response(ResponseCode.VALID);
                valid.getOptions().addETag(etag);
                exchange.respond(valid);
                return;
            }
            int szx = asked == null ? maxSzx : Math.min(asked.getSzx(), maxSzx);
            int blockSize = BlockOption.szx2Size(szx);
            long offset = asked == null ? 0 : asked.getOffset();
            long size = firmware.sizeBytes();
            if (offset >= size && !(offset == 0 && size == 0)) {
                exchange.respond(ResponseCode.BAD_OPTION, "block " + asked.getNum() + " of " + asked.getSize()
                        + " bytes starts past the end of the " + size + "-byte image");
                return;
            }
            byte[] payload;
            try {
                payload = blocks.read(firmware.sha256(), images.blobPath(firmware.sha256()), size, offset, blockSize);
            } catch (IOException e) {
                LOG.error("Cannot read firmware {} for a block-wise download: {}", firmware.sha256(), e.getMessage());
                exchange.respond(ResponseCode.INTERNAL_SERVER_ERROR, "the image cannot be read");
                return;
            }
            Response response = new Response(ResponseCode.CONTENT);
            response.setPayload(payload);
            OptionSet options = response.getOptions();
            options.setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
            options.setBlock2(szx, offset + payload.length < size, (int) (offset / blockSize));
            options.setSize2((int) size);
            options.addETag(etag);
            exchange.respond(response);
        }
    }
}

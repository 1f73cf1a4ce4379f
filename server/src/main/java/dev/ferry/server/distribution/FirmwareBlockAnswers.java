package dev.ferry.server.distribution;

import java.io.IOException;
import java.security.Principal;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.firmware.Firmware;
import dev.ferry.server.firmware.PublishedImages;

/**
 * The answer to {@code GET /fw/<sha256>}: one block of a published image (RFC 7959 Block2) at the size the client
 * asks for, up to the server's maximum, with Size2 and an ETag. A pure function of the request and the published
 * images, so the CoAP resource and the stateless path in the connectors give the same answers.
 */
final class FirmwareBlockAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(FirmwareBlockAnswers.class);

    private final PublishedImages images;
    private final ImageBlocks blocks;
    private final Function<Principal, Optional<String>> deviceOfPeer;
    private final FirmwareAccess access;
    private final int maxSzx;

    FirmwareBlockAnswers(PublishedImages images, ImageBlocks blocks,
            Function<Principal, Optional<String>> deviceOfPeer, FirmwareAccess access, int maxBlockSize) {
        this.images = images;
        this.blocks = blocks;
        this.deviceOfPeer = deviceOfPeer;
        this.access = access;
        this.maxSzx = BlockOption.size2Szx(maxBlockSize);
    }

    /**
     * @param request the request's options; its Uri-Path is {@code fw/<sha256>}
     * @param peer the authenticated DTLS identity, or null over plain CoAP
     */
    Response answer(OptionSet request, Principal peer) {
        List<String> path = request.getUriPath();
        String sha256 = path.size() == 2 ? path.get(1) : "";
        if (!BlobStore.isSha256Hex(sha256)) {
            return problem(ResponseCode.NOT_FOUND, "ask for /fw/<sha256>: 64 lower-case hex digits");
        }
        Optional<Firmware> firmware = images.bySha256(sha256);
        if (firmware.isEmpty()) {
            return problem(ResponseCode.NOT_FOUND, "no published image has SHA-256 " + sha256);
        }
        if (peer != null) {
            Optional<String> endpoint = deviceOfPeer.apply(peer);
            if (endpoint.isEmpty()) {
                return problem(ResponseCode.UNAUTHORIZED, "not a provisioned device");
            }
            if (!access.mayFetch(endpoint.get(), firmware.get())) {
                return problem(ResponseCode.FORBIDDEN, "this image is not assigned to " + endpoint.get());
            }
        }
        return block(request, firmware.get());
    }

    private Response block(OptionSet request, Firmware firmware) {
        byte[] etag = HexFormat.of().parseHex(firmware.sha256().substring(0, 16));
        BlockOption asked = request.getBlock2();
        if (asked == null && request.containsETag(etag)) {
            Response valid = new Response(ResponseCode.VALID);
            valid.getOptions().addETag(etag);
            return valid;
        }
        int szx = asked == null ? maxSzx : Math.min(asked.getSzx(), maxSzx);
        int blockSize = BlockOption.szx2Size(szx);
        long offset = asked == null ? 0 : asked.getOffset();
        long size = firmware.sizeBytes();
        if (offset >= size && !(offset == 0 && size == 0)) {
            return problem(ResponseCode.BAD_OPTION, "block " + asked.getNum() + " of " + asked.getSize()
                    + " bytes starts past the end of the " + size + "-byte image");
        }
        byte[] payload;
        try {
            payload = blocks.read(firmware.sha256(), images.blobPath(firmware.sha256()), size, offset, blockSize);
        } catch (IOException e) {
            LOG.error("Cannot read firmware {} for a block-wise download: {}", firmware.sha256(), e.getMessage());
            return problem(ResponseCode.INTERNAL_SERVER_ERROR, "the image cannot be read");
        }
        Response response = new Response(ResponseCode.CONTENT);
        response.setPayload(payload);
        OptionSet options = response.getOptions();
        options.setContentFormat(MediaTypeRegistry.APPLICATION_OCTET_STREAM);
        options.setBlock2(szx, offset + payload.length < size, (int) (offset / blockSize));
        options.setSize2((int) size);
        options.addETag(etag);
        return response;
    }

    private static Response problem(ResponseCode code, String message) {
        Response response = new Response(code);
        response.setPayload(message);
        response.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
        return response;
    }
}

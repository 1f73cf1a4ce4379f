package dev.ferry.server.lwm2m;

import java.nio.charset.StandardCharsets;

import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.link.LinkParseException;
import org.eclipse.leshan.core.link.lwm2m.DefaultLwM2mLinkParser;
import org.eclipse.leshan.core.link.lwm2m.LwM2mLink;
import org.eclipse.leshan.core.link.lwm2m.LwM2mLinkParser;

/**
 * Leshan's link-format parser, with every malformed object list reported as a {@link LinkParseException}: for some
 * (a number too large, e.g. {@code ct=99999999999}) it throws a runtime exception instead, which Leshan's
 * registration resource answers with 5.00 and an error log rather than 4.00 with the reason.
 */
final class StrictLinkParser implements LwM2mLinkParser {
    private final LwM2mLinkParser parser = new DefaultLwM2mLinkParser();

    @Override
    public Link[] parseCoreLinkFormat(byte[] bytes) throws LinkParseException {
        try {
            return parser.parseCoreLinkFormat(bytes);
        } catch (RuntimeException e) {
            throw malformed(bytes, e);
        }
    }

    @Override
    public LwM2mLink[] parseLwM2mLinkFromCoreLinkFormat(byte[] bytes, String rootPath) throws LinkParseException {
        try {
            return parser.parseLwM2mLinkFromCoreLinkFormat(bytes, rootPath);
        } catch (RuntimeException e) {
            throw malformed(bytes, e);
        }
    }

    private static LinkParseException malformed(byte[] bytes, RuntimeException cause) {
        return new LinkParseException(cause, "Unable to parse [%s] : %s", new String(bytes, StandardCharsets.UTF_8),
                cause.getMessage());
    }
}

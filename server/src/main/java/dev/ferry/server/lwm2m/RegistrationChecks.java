package dev.ferry.server.lwm2m;

import java.util.List;
import java.util.Set;

import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.leshan.core.LwM2m.Version;

/**
 * The query parameters of a registration ({@code POST /rd?ep=..&lt=..}) or registration update
 * ({@code POST /rd/{id}?lt=..}) as the server accepts them. Checked before Leshan's RegisterResource parses them:
 * it reads {@code lt} and {@code b} without handling malformed values, and takes any well-formed LwM2M version.
 * Parameters are recognised by the same prefixes Leshan uses, so what passes here parses there.
 */
final class RegistrationChecks {
    /** Leshan 2.0 handles 1.0 and 1.1; 1.2 clients (e.g. Anjay) register with what 1.1 defines. */
    static final Set<String> LWM2M_VERSIONS = Set.of("1.0", "1.1", "1.2");
    private static final String BINDING_MODES = "UTSNQ";

    private final LifetimeRange lifetimes;

    RegistrationChecks(LifetimeRange lifetimes) {
        this.lifetimes = lifetimes;
    }

    /** Why a registration is refused and with which code. */
    record Refusal(ResponseCode code, String reason) {
        static Refusal badRequest(String reason) {
            return new Refusal(ResponseCode.BAD_REQUEST, reason);
        }
    }

    /** Null when Leshan may handle the registration; otherwise why not. */
    Refusal register(List<String> query) {
        for (String param : query) {
            Refusal refusal;
            if (param.startsWith("ep=")) {
                continue; // Leshan checks presence; any name is looked up as provisioned or not
            } else if (param.startsWith("lwm2m=")) {
                refusal = version(param.substring("lwm2m=".length()));
            } else {
                refusal = common(param);
            }
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    /** Null when Leshan may handle the registration update; otherwise why not. */
    Refusal update(List<String> query) {
        for (String param : query) {
            Refusal refusal = common(param);
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    private Refusal common(String param) {
        if (param.startsWith("lt=")) {
            return lifetime(param.substring("lt=".length()));
        }
        if (param.startsWith("b=")) {
            return binding(param.substring("b=".length()));
        }
        return null;
    }

    private Refusal lifetime(String value) {
        long seconds;
        try {
            seconds = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return Refusal.badRequest("lt=" + value + ": the lifetime must be a whole number of seconds ("
                    + lifetimes.describe() + ")");
        }
        String refusal = lifetimes.refusal(seconds);
        return refusal == null ? null : Refusal.badRequest("lt=" + value + ": " + refusal);
    }

    private static Refusal binding(String value) {
        if (value.isEmpty()) {
            return Refusal.badRequest("b= names no binding mode; use U, T, S or N (Q only in LwM2M 1.0)");
        }
        for (char mode : value.toCharArray()) {
            if (BINDING_MODES.indexOf(mode) < 0) {
                return Refusal.badRequest("b=" + value + ": '" + mode + "' is not a binding mode; use U, T, S or N"
                        + " (Q only in LwM2M 1.0)");
            }
        }
        return null;
    }

    /**
     * A version the server does not support is answered 4.12 Precondition Failed, as LwM2M 1.1 specifies for the
     * Register operation.
     */
    private static Refusal version(String value) {
        String malformed = Version.validate(value);
        if (malformed != null) {
            return Refusal.badRequest("lwm2m=" + value + ": " + malformed);
        }
        if (!LWM2M_VERSIONS.contains(value)) {
            return new Refusal(ResponseCode.PRECONDITION_FAILED, "LwM2M version " + value
                    + " is not supported; this server supports 1.0, 1.1 and 1.2");
        }
        return null;
    }
}

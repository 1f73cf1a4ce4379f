package dev.ferry.server.update;

import java.util.Locale;
import java.util.Optional;

/** How the image reaches the device: it pulls from a Package URI (5/0/1), or the server pushes it (5/0/0). */
public enum Delivery {
    PULL_COAP(0), PULL_COAPS(1), PULL_HTTP(2), PUSH(-1);

    /** The value of 5/0/8 (Firmware Update Protocol Support) that a device lists when it can use this. */
    private final int protocol;

    Delivery(int protocol) {
        this.protocol = protocol;
    }

    public int protocol() {
        return protocol;
    }

    public boolean isPull() {
        return this != PUSH;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Delivery> fromWireName(String name) {
        for (Delivery delivery : values()) {
            if (delivery.wireName().equals(name)) {
                return Optional.of(delivery);
            }
        }
        return Optional.empty();
    }

    public static String allWireNames() {
        return "pull-coap, pull-coaps, pull-http, push";
    }
}

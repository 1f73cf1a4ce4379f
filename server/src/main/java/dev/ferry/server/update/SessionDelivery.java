package dev.ferry.server.update;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.eclipse.leshan.server.registration.Registration;

import dev.ferry.server.firmware.BlobStore;

/**
 * The first half of a session: check what the device's object 5 offers, hand it the image (a Package URI to pull
 * from, or the image pushed into 5/0/0) and follow the download until the device reports state 2 (downloaded) or
 * a failure result. A pushed image is judged by what the device reports after the last block, never assumed.
 */
final class SessionDelivery {
    /** How often object 5 is read while the device checks a pushed image and no notification came. */
    static final Duration READ_AGAIN = Duration.ofSeconds(2);

    private final SessionSteps steps;
    private final Object5Link link;
    private final BlobStore blobs;
    private final UpdateSettings settings;
    private final Supplier<PackageUris> packageUris;
    private final DownloadTokens tokens;

    SessionDelivery(SessionSteps steps, Object5Link link, BlobStore blobs, UpdateSettings settings,
            Supplier<PackageUris> packageUris, DownloadTokens tokens) {
        this.tokens = tokens;
        this.steps = steps;
        this.link = link;
        this.blobs = blobs;
        this.settings = settings;
        this.packageUris = packageUris;
    }

    /** PENDING → STARTING: reads 5/0/8 and 5/0/9, then delivers if the device can take the image that way. */
    void begin(ActiveSession a, Registration registration) {
        if (!registration.getSupportedObject().containsKey(Object5Link.FIRMWARE)) {
            steps.fail(a, FailureReason.UNSUPPORTED_DELIVERY, "the device's registration lists no object 5"
                    + " (firmware update)");
            return;
        }
        if (a.session.previousVersion() == null && a.runningVersion != null) {
            a.session = a.session.withPreviousVersion(a.runningVersion);
        }
        steps.move(a, UpdateState.STARTING, null, "reading 5/0/8 and 5/0/9; the device reports version "
                + (a.runningVersion == null ? "unknown (3/0/3 unreadable)" : a.runningVersion + " (3/0/3)"));
        CompletableFuture<List<Long>> protocols = link.readIntegers(registration, 8);
        CompletableFuture<List<Long>> methods = protocols.thenCompose(p -> link.readIntegers(registration, 9));
        steps.then(a, methods, (deliveryMethods, error) -> {
            if (error != null) {
                steps.retryOrFail(a, FailureReason.DEVICE_UNREACHABLE, "reading 5/0/8 and 5/0/9: "
                        + error.getMessage(), error);
                return;
            }
            String unsupported = Object5Rules.unsupported(a.session.delivery(), protocols.join(), deliveryMethods);
            if (unsupported != null) {
                steps.fail(a, FailureReason.UNSUPPORTED_DELIVERY, unsupported);
                return;
            }
            deliver(a, registration);
        });
    }

    /** STARTING → DOWNLOADING: writes the Package URI, or pushes the image. */
    private void deliver(ActiveSession a, Registration registration) {
        a.pushedWhole = false;
        a.nextRead = null;
        if (a.session.delivery().isPull()) {
            PackageUris uris = packageUris.get();
            Delivery delivery = a.session.delivery();
            String uri = uris.forSession(delivery, a.image, tokens.mint(a.session.id(), a.image.sha256()));
            boolean busyDevice = a.deviceState != null && a.deviceState != 0;
            steps.move(a, UpdateState.DOWNLOADING, null, "writing package URI "
                    + PackageUris.shown(delivery, a.image, uris) + " to 5/0/1");
            a.forgetDeviceState();
            CompletableFuture<Void> reset = busyDevice ? link.writePackageUri(registration, "")
                    : CompletableFuture.completedFuture(null);
            steps.then(a, reset.thenCompose(v -> link.writePackageUri(registration, uri)), (ok, error) -> {
                if (error != null) {
                    steps.retryOrFail(a, FailureReason.DEVICE_UNREACHABLE, "writing the package URI: "
                            + error.getMessage(), error);
                } else {
                    steps.advance(a);
                }
            });
            return;
        }
        byte[] image = blobs.read(a.image.sha256());
        steps.move(a, UpdateState.DOWNLOADING, null, "pushing " + image.length + " bytes into 5/0/0 block-wise");
        a.forgetDeviceState();
        steps.then(a, link.writePackage(registration, image, settings.downloadTimeout()), (ok, error) -> {
            if (error != null) {
                steps.retryOrFail(a, FailureReason.CONNECTION_LOST, "pushing the image: " + error.getMessage(), error);
                return;
            }
            // The device acknowledged the last block; what it made of the image, only object 5 says.
            a.pushedWhole = true;
            a.nextRead = OffsetDateTime.now().plus(READ_AGAIN);
            steps.readObject5(a, registration, readError -> steps.advance(a));
        });
    }

    /** DOWNLOADING: acts on what the device reported. */
    void watch(ActiveSession a, Registration registration, OffsetDateTime now) {
        switch (Object5Rules.download(a.deviceState, a.deviceResult, a.pushedWhole)) {
        case FAIL -> steps.retryOrFail(a, FailureReason.ofUpdateResult(a.deviceResult), "the device reported "
                + Object5Rules.result(a.deviceResult)
                + (a.deviceState == null ? "" : " in " + Object5Rules.state(a.deviceState)), null);
        case INSTALL -> {
            steps.move(a, UpdateState.DOWNLOADED, null, "the device reported " + Object5Rules.state(2));
            steps.advance(a);
        }
        case DISCARDED -> {
            if (a.stateNotified || a.resultNotified) {
                // State and Result are notified one by one: read both together before concluding.
                steps.readObject5(a, registration, readError -> steps.advance(a));
                return;
            }
            steps.fail(a, FailureReason.PACKAGE_DISCARDED, "the device acknowledged the whole pushed image, then"
                    + " reported " + Object5Rules.state(a.deviceState)
                    + (a.deviceResult == null ? "" : " with " + Object5Rules.result(a.deviceResult)));
        }
        case WAIT -> {
            if (a.pushedWhole && a.nextRead != null && now.isAfter(a.nextRead)) {
                a.nextRead = now.plus(READ_AGAIN);
                steps.readObject5(a, registration, readError -> steps.advance(a));
            } else if (!a.pushedWhole && a.deviceState != null && a.deviceState == 0 && a.resyncedIdle) {
                // Re-registered idle mid-download (power loss, or a server restart lost the observation): ask
                // again; a pulling device resumes from what it already wrote.
                a.resyncedIdle = false;
                deliver(a, registration);
            }
        }
        }
    }
}

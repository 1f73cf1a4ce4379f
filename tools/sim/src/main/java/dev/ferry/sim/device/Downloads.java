package dev.ferry.sim.device;

import dev.ferry.sim.download.CoapFetcher;
import dev.ferry.sim.download.HttpFetcher;
import dev.ferry.sim.download.PackageFetcher;
import java.net.URI;
import java.time.Duration;

/**
 * Pulls of a Package URI: at most one {@link DownloadJob} at a time, resumed after the device registers again
 * when a reboot cut it. The link stays awake while a pull runs.
 */
final class Downloads {
    private static final Duration HTTP_RESPONSE_TIMEOUT = Duration.ofSeconds(30);

    private final DeviceParts parts;

    // Guarded by the device's lock.
    private DownloadJob download;
    private boolean resumePull;

    Downloads(DeviceParts parts) {
        this.parts = parts;
    }

    /** At boot, under the lock: whether the pull the flash records resumes once the device registered. */
    void resumeAfterRegistering(boolean resume) {
        resumePull = resume;
    }

    /** Under the lock, once registered: true if a pull is to resume now. */
    boolean takeResume() {
        boolean resume = resumePull;
        resumePull = false;
        return resume;
    }

    /** The boot ended, under the lock: returns the running job, if any, for the caller to cancel. */
    DownloadJob forget() {
        resumePull = false;
        return detach();
    }

    /** Under the lock: returns the running job, if any, for the caller to cancel. */
    DownloadJob detach() {
        DownloadJob job = download;
        download = null;
        return job;
    }

    void startPull(boolean resumed) {
        DownloadJob job;
        synchronized (parts.lock()) {
            UpdateMachine machine = parts.machine();
            if (machine.state() != FirmwareState.DOWNLOADING || machine.isPush() || download != null
                    || !parts.power().isPowered()) {
                return;
            }
            DeviceSettings settings = parts.settings();
            job = new DownloadJob(parts.lock(), machine, fetcherFor(URI.create(machine.packageUri())),
                    parts.faultState(), new DownloadHost(), settings.downloadRetries(), settings.retryDelay());
            download = job;
        }
        parts.link().holdAwake();
        job.start(resumed);
    }

    private PackageFetcher fetcherFor(URI uri) {
        DeviceSettings settings = parts.settings();
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            return new HttpFetcher(uri, settings.httpClient(), parts.link(), HTTP_RESPONSE_TIMEOUT);
        }
        return new CoapFetcher(uri, settings.coapBlockSize(), settings.pskIdentity(), settings.pskKey(),
                parts.link(), new CoapFetcher.Timeouts(settings.ackTimeout(), settings.maxRetransmit()),
                parts.scheduler());
    }

    private final class DownloadHost implements DownloadJob.Host {
        @Override
        public void publish(DeviceEvent.Type type, long bytes, String detail) {
            parts.events().publish(type, bytes, detail);
        }

        @Override
        public void cutPower(String reason) {
            parts.power().cutPower(reason);
        }

        @Override
        public void goSilent(String reason) {
            parts.power().goSilent(reason);
        }

        @Override
        public void schedule(Duration delay, Runnable task) {
            parts.power().schedule(delay, task);
        }

        @Override
        public void ended(DownloadJob job) {
            boolean mine;
            synchronized (parts.lock()) {
                mine = download == job;
                if (mine) {
                    download = null;
                }
            }
            if (mine) {
                parts.link().releaseAwake();
            }
        }
    }
}

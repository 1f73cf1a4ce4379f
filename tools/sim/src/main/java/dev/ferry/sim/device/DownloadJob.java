package dev.ferry.sim.device;

import dev.ferry.sim.download.FetchCallback;
import dev.ferry.sim.download.FetchFailure;
import dev.ferry.sim.download.PackageFetcher;
import java.time.Duration;
import java.util.Arrays;

/**
 * One pull of a package into the slot, across connection losses: each attempt resumes from the bytes the
 * device holds, with the ETag of the first answer, like Ferry's Zephyr module. After {@code maxRetries}
 * attempts in a row that made no progress the download fails with result 4. Injected faults (a dropped
 * connection, a power loss, a corrupted byte) act here, between the transport and the slot.
 */
final class DownloadJob implements FetchCallback {

    /** What the job needs from its device. */
    interface Host {
        void publish(DeviceEvent.Type type, long bytes, String detail);

        /** Power fails now (a fault). */
        void cutPower(String reason);

        /** The radio dies now (a fault); the device runs on. */
        void goSilent(String reason);

        void schedule(Duration delay, Runnable task);

        void ended(DownloadJob job);
    }

    private final Object lock;
    private final UpdateMachine machine;
    private final PackageFetcher fetcher;
    private final FaultState faults;
    private final Host host;
    private final int maxRetries;
    private final Duration retryDelay;
    private final String uri;
    private Corruption corruption;
    private PackageFetcher.Transfer transfer;
    private boolean over;
    private int failuresWithoutProgress;
    private long progressMark;

    DownloadJob(Object lock, UpdateMachine machine, PackageFetcher fetcher, FaultState faults, Host host,
            int maxRetries, Duration retryDelay) {
        this.lock = lock;
        this.machine = machine;
        this.fetcher = fetcher;
        this.faults = faults;
        this.host = host;
        this.maxRetries = maxRetries;
        this.retryDelay = retryDelay;
        this.uri = machine.packageUri();
    }

    /** Starts the first attempt; {@code resumed} after a reboot cut an earlier pull. */
    void start(boolean resumed) {
        long offset;
        synchronized (lock) {
            offset = machine.written();
            progressMark = offset;
            corruption = faults.takeCorruption();
        }
        host.publish(resumed ? DeviceEvent.Type.DOWNLOAD_RESUMED : DeviceEvent.Type.DOWNLOAD_STARTED, offset, uri);
        attempt();
    }

    /** Stops for good (cancelled, power off); no event, no result change. */
    void cancel() {
        PackageFetcher.Transfer current;
        synchronized (lock) {
            over = true;
            current = transfer;
        }
        if (current != null) {
            current.cancel();
        }
    }

    private void attempt() {
        long offset;
        byte[] etag;
        synchronized (lock) {
            if (over) {
                return;
            }
            offset = machine.written();
            etag = machine.etag().orElse(null);
        }
        PackageFetcher.Transfer started = fetcher.fetch(offset, etag, this);
        synchronized (lock) {
            if (over) {
                started.cancel();
            } else {
                transfer = started;
            }
        }
    }

    @Override
    public boolean started(byte[] etag, long totalSize, long offset) {
        String restart;
        synchronized (lock) {
            if (over) {
                return false;
            }
            if (totalSize >= 0 && !machine.announceSize(totalSize)) {
                end("the package is larger than the slot");
                return false;
            }
            boolean changed = etag != null && machine.etagChanged(etag);
            if (offset == 0 && machine.written() > 0) {
                machine.restartFromZero(); // the server sends the whole package again
            }
            if (offset <= machine.written() && !(changed && offset > 0)) {
                return true;
            }
            // The package changed, or the server skipped bytes we lack: start over from zero.
            machine.restartFromZero();
            restart = changed ? "the package changed on the server" : "the server answered from byte " + offset;
        }
        connectionLost(restart + "; starting again from zero");
        return false;
    }

    @Override
    public boolean data(long offset, byte[] bytes) {
        String cut = null;
        boolean powerCut = false;
        boolean silenced = false;
        synchronized (lock) {
            if (over) {
                return false;
            }
            long end = offset + bytes.length;
            long keep = end;
            long dropAt = faults.nextDropAt();
            if (dropAt >= 0 && end > Math.max(dropAt, machine.written())) {
                keep = dropAt;
                cut = "connection dropped at byte " + dropAt + " (injected fault)";
                faults.dropped();
            }
            long powerAt = faults.powerLossAt();
            if (powerAt >= 0 && end > Math.max(powerAt, machine.written()) && powerAt <= keep) {
                keep = powerAt;
                cut = "power lost at byte " + powerAt + " of the download (injected fault)";
                powerCut = true;
                faults.powerLost();
            }
            long silentAt = faults.silenceAt();
            if (!powerCut && silentAt >= 0 && end > Math.max(silentAt, machine.written()) && silentAt <= keep) {
                keep = silentAt;
                cut = "the radio died at byte " + silentAt + " of the download (injected fault)";
                silenced = true;
                faults.silenced();
            }
            byte[] kept = keep >= end ? bytes : Arrays.copyOf(bytes, (int) Math.max(0, keep - offset));
            if (corruption != null) {
                kept = corruption.apply(offset, kept);
            }
            if (!machine.write((int) offset, kept)) {
                end("the package was refused");
                return false;
            }
            if (cut == null) {
                return true;
            }
        }
        if (powerCut) {
            host.cutPower(cut);
            return false;
        }
        if (silenced) {
            host.goSilent(cut); // its retries go nowhere now, as a real device's would
        }
        connectionLost(cut);
        return false;
    }

    @Override
    public void completed() {
        synchronized (lock) {
            if (over) {
                return;
            }
            machine.finish();
            end(machine.state() == FirmwareState.DOWNLOADED ? "verified" : machine.failureDetail());
        }
    }

    @Override
    public void failed(FetchFailure failure, String detail) {
        switch (failure) {
            case CONNECTION_LOST -> connectionLost(detail);
            case NOT_FOUND, REFUSED -> {
                synchronized (lock) {
                    if (!over) {
                        machine.fail(UpdateResult.INVALID_URI, detail);
                        end(detail);
                    }
                }
            }
            case RANGE_NOT_SATISFIABLE, PACKAGE_CHANGED -> {
                synchronized (lock) {
                    if (!over) {
                        machine.restartFromZero();
                    }
                }
                connectionLost(detail + "; starting again from zero");
            }
            default -> throw new IllegalStateException("unexpected " + failure);
        }
    }

    /** An attempt broke off: retry from what we hold, unless attempts keep failing without progress. */
    private void connectionLost(String detail) {
        long held;
        synchronized (lock) {
            if (over) {
                return;
            }
            held = machine.written();
            failuresWithoutProgress = held > progressMark ? 1 : failuresWithoutProgress + 1;
            progressMark = held;
            if (failuresWithoutProgress > maxRetries) {
                faults.downloadFailed();
                machine.fail(UpdateResult.CONNECTION_LOST, detail + "; gave up after " + maxRetries + " retries");
                end(machine.failureDetail());
                return;
            }
        }
        host.publish(DeviceEvent.Type.DOWNLOAD_INTERRUPTED, held, detail);
        host.schedule(retryDelay, () -> {
            long from;
            synchronized (lock) {
                if (over) {
                    return;
                }
                from = machine.written();
            }
            host.publish(DeviceEvent.Type.DOWNLOAD_RESUMED, from, uri);
            attempt();
        });
    }

    /** Called under the lock once the machine has its final say. */
    private void end(String detail) {
        if (over) {
            return;
        }
        over = true;
        host.publish(DeviceEvent.Type.DOWNLOAD_FINISHED, machine.written(), detail);
        host.ended(this);
    }
}

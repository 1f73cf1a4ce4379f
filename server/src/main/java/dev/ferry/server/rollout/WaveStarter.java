package dev.ferry.server.rollout;

import static dev.ferry.server.store.generated.Tables.ROLLOUT;
import static dev.ferry.server.store.generated.Tables.ROLLOUT_DEVICE;
import static dev.ferry.server.store.generated.Tables.ROLLOUT_WAVE;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.ferry.image.ImageVersion;
import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.firmware.Firmware;
import dev.ferry.server.firmware.FirmwareRepository;
import dev.ferry.server.store.generated.tables.records.RolloutDeviceRecord;
import dev.ferry.server.store.generated.tables.records.RolloutRecord;
import dev.ferry.server.update.FailureReason;
import dev.ferry.server.update.InvalidUpdateException;
import dev.ferry.server.update.UpdateRefusal;
import dev.ferry.server.update.UpdateRequest;
import dev.ferry.server.update.UpdateService;

/**
 * Starts a wave: matches the target as it is now, so devices that joined it since the last wave are taken, skips
 * those that need nothing or cannot take the image (with the reason), and stores the wave with all its devices in
 * one transaction, so a crash leaves either the whole wave or none of it. The install checks that need the
 * image's details (slot size, downgrade, security counter) are made when each device's session is created:
 * a device they refuse is skipped then, with the refusal's reason, so a wave starts without a query per device.
 *
 * <p>A reverse rollout's target is what its original rollout reached: each such device gets the image it ran
 * before, unless that image is gone or unpublished ({@code previous-image-unavailable}) or its MCUboot security
 * counter is lower than the running one's ({@code security-counter}).
 */
final class WaveStarter {
    private static final int BATCH = 500;
    private final RolloutStore store;
    private final RolloutTargets targets;
    private final DeviceRepository devices;
    private final FirmwareRepository firmware;
    private final UpdateService updates;

    WaveStarter(RolloutStore store, RolloutTargets targets, DeviceRepository devices, FirmwareRepository firmware,
            UpdateService updates) {
        this.store = store;
        this.targets = targets;
        this.devices = devices;
        this.firmware = firmware;
        this.updates = updates;
    }

    /** A device matched for the wave, with the image it would get, or why it is skipped. */
    private record Candidate(Device device, Long firmwareId, String skipReason, String skipDetail) {
    }

    /** Starts wave {@code wave}; false when the plan has no more waves or no device waits (the rollout is done). */
    boolean start(RolloutRecord rollout, RolloutSpec spec, int wave, OffsetDateTime now) {
        long id = rollout.getId();
        Map<String, Boolean> members = store.members(id);
        List<Candidate> waiting = rollout.getRollbackOf() == null ? forward(rollout, spec, members)
                : reverse(rollout, members);
        List<Candidate> eligible = waiting.stream().filter(c -> c.skipReason() == null).toList();
        List<Candidate> taken = new ArrayList<>();
        List<Candidate> skipped = waiting.stream().filter(c -> c.skipReason() != null).toList();
        int reached = (int) members.values().stream().filter(Boolean::booleanValue).count();
        int size = WavePlan.size(spec.strategy(), wave, reached + eligible.size(), eligible.size());
        if (!WavePlan.hasWave(spec.strategy(), wave) || (eligible.isEmpty() && skipped.isEmpty())) {
            return false;
        }
        taken.addAll(eligible.subList(0, size));
        int waves = WavePlan.waveCount(spec.strategy(), wave, reached + eligible.size(), eligible.size());
        String detail = "wave " + wave + " started with " + taken.size() + " device(s)" + (skipped.isEmpty() ? ""
                : ", " + skipped.size() + " skipped");
        Map<String, Optional<Long>> previous = new HashMap<>();
        store.transaction(tx -> {
            tx.dsl.insertInto(ROLLOUT_WAVE).set(ROLLOUT_WAVE.ROLLOUT_ID, id).set(ROLLOUT_WAVE.WAVE_INDEX, wave)
                    .set(ROLLOUT_WAVE.STATUS, RolloutWave.Status.RUNNING.wireName())
                    .set(ROLLOUT_WAVE.PLANNED, taken.size()).set(ROLLOUT_WAVE.STARTED_AT, now).execute();
            List<RolloutDeviceRecord> rows = new ArrayList<>();
            for (Candidate c : taken) {
                rows.add(row(id, wave, c, RolloutDeviceState.PENDING, null, "waiting for its update session",
                        rollout.getRollbackOf() == null ? previous : null, now));
            }
            for (Candidate c : skipped) {
                rows.add(row(id, wave, c, RolloutDeviceState.SKIPPED, c.skipReason(), c.skipDetail(), null, now));
            }
            for (int from = 0; from < rows.size(); from += BATCH) {
                tx.dsl.batchInsert(rows.subList(from, Math.min(rows.size(), from + BATCH))).execute();
            }
            tx.dsl.update(ROLLOUT).set(ROLLOUT.CURRENT_WAVE, wave).set(ROLLOUT.WAVE_COUNT, waves)
                    .set(ROLLOUT.UPDATED_AT, now).where(ROLLOUT.ID.eq(id)).execute();
            tx.record(id, RolloutStore.Step.wave(wave, RolloutWave.Status.PENDING, RolloutWave.Status.RUNNING, detail,
                    RolloutStore.SERVER), now);
            return null;
        });
        return true;
    }

    /** @param previous the firmware id of each version seen so far, or null not to record it */
    private RolloutDeviceRecord row(long id, int wave, Candidate c, RolloutDeviceState state, String reason,
            String detail, Map<String, Optional<Long>> previous, OffsetDateTime now) {
        RolloutDeviceRecord r = new RolloutDeviceRecord();
        r.setRolloutId(id);
        r.setEndpoint(c.device().endpoint());
        r.setWaveIndex(wave);
        r.setState(state.wireName());
        r.setAttempts(0);
        r.setReason(reason);
        r.setDetail(DeviceRepository.truncate(detail, 1000));
        r.setFirmwareId(c.firmwareId());
        r.setPreviousVersion(c.device().firmwareVersion());
        if (previous != null) {
            r.setPreviousFirmwareId(previous.computeIfAbsent(c.device().model() + " " + c.device().firmwareVersion(),
                    key -> previousImage(c.device())).orElse(null));
        }
        r.setStateSince(now);
        r.setRegistrations(0);
        r.setUpdatedAt(now);
        return r;
    }

    /** The firmware record of the version the device runs now: what a rollback would give it back. */
    private Optional<Long> previousImage(Device device) {
        Optional<ImageVersion> running = version(device.firmwareVersion());
        if (device.model() == null || running.isEmpty()) {
            return Optional.empty();
        }
        return firmware.findVersion(device.model(), running.get()).map(Firmware::id);
    }

    /**
     * What starting {@code spec} now would do, stored nowhere: the devices its target matches, those its first waves
     * would take (each sized as {@link #start} sizes it, the target taken as it is now) and those it would skip, by
     * reason. Blocking.
     */
    RolloutPreview preview(RolloutSpec spec) {
        // No rollout has id 0, so every rollout holding a device counts as another one.
        List<Candidate> waiting = forward(0L, spec.firmwareId(), spec, Map.of());
        Map<String, Integer> skipped = new java.util.TreeMap<>();
        waiting.stream().filter(c -> c.skipReason() != null).forEach(c -> skipped.merge(c.skipReason(), 1,
                Integer::sum));
        int eligible = waiting.size() - skipped.values().stream().mapToInt(Integer::intValue).sum();
        List<Integer> sizes = new ArrayList<>();
        int left = eligible;
        int wave = 0;
        while (left > 0 && WavePlan.hasWave(spec.strategy(), wave)) {
            int size = Math.max(1, WavePlan.size(spec.strategy(), wave, eligible, left));
            if (sizes.size() < RolloutPreview.MAX_WAVES_LISTED) {
                sizes.add(size);
            }
            left -= size;
            wave++;
        }
        return new RolloutPreview(waiting.size(), eligible, sizes, wave, skipped);
    }

    private List<Candidate> forward(RolloutRecord rollout, RolloutSpec spec, Map<String, Boolean> members) {
        return forward(rollout.getId(), rollout.getFirmwareId(), spec, members);
    }

    private List<Candidate> forward(long rolloutId, long firmwareId, RolloutSpec spec, Map<String, Boolean> members) {
        Firmware image = firmware.find(firmwareId).orElseThrow();
        Map<String, Long> heldElsewhere = store.heldElsewhere(rolloutId);
        List<Candidate> waiting = new ArrayList<>();
        for (Device d : targets.members(spec.target())) {
            if (members.containsKey(d.endpoint())) {
                continue;
            }
            Long other = heldElsewhere.get(d.endpoint());
            if (other != null) {
                waiting.add(new Candidate(d, image.id(), "in-another-rollout", "the device is held by rollout "
                        + other));
            } else if (version(d.firmwareVersion()).filter(v -> v.equals(image.version())).isPresent()) {
                waiting.add(new Candidate(d, image.id(), "already-on-version", "the device runs "
                        + d.firmwareVersion() + " already"));
            } else if (!spec.allowModelMismatch() && d.model() != null && !d.model().equals(image.model())) {
                waiting.add(new Candidate(d, image.id(), UpdateRefusal.MODEL_MISMATCH.wireName(), "the device is a '"
                        + d.model() + "'; the image is for '" + image.model() + "'"));
            } else {
                waiting.add(new Candidate(d, image.id(), null, null));
            }
        }
        return waiting;
    }

    private List<Candidate> reverse(RolloutRecord rollout, Map<String, Boolean> members) {
        List<Candidate> waiting = new ArrayList<>();
        List<RolloutDeviceRecord> reached = store.dsl().selectFrom(ROLLOUT_DEVICE)
                .where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(rollout.getRollbackOf()), ROLLOUT_DEVICE.SESSION_ID.isNotNull(),
                        ROLLOUT_DEVICE.STATE.notIn(RolloutDeviceState.PENDING.wireName(),
                                RolloutDeviceState.UPDATING.wireName()))
                .orderBy(ROLLOUT_DEVICE.ENDPOINT).fetch();
        for (RolloutDeviceRecord r : reached) {
            if (members.containsKey(r.getEndpoint())) {
                continue;
            }
            Optional<Device> device = devices.find(r.getEndpoint());
            if (device.isEmpty()) {
                continue; // deprovisioned: nothing to put back
            }
            Device d = device.get();
            Optional<Firmware> previous = Optional.ofNullable(r.getPreviousFirmwareId()).flatMap(firmware::find);
            if (!leftItsPreviousImage(r, d)) {
                waiting.add(new Candidate(d, null, "already-on-version", "the device runs " + d.firmwareVersion()
                        + ", the version it ran before the rollout"));
            } else if (previous.isEmpty() || !previous.get().isPublished()) {
                waiting.add(new Candidate(d, r.getPreviousFirmwareId(), "previous-image-unavailable", "the image of "
                        + r.getPreviousVersion() + " that the device ran before is " + (previous.isEmpty()
                                ? "not in the firmware repository" : "not published") + "; upload or publish it"));
            } else {
                waiting.add(new Candidate(d, previous.get().id(), null, null));
            }
        }
        return waiting;
    }

    /**
     * Whether the original rollout took the device off the image it ran before. A succeeded session did, unless
     * the device reports its old version again; a failed one did not (its verdict compared the versions), unless
     * the device ended on a third version; for a device that timed out or was cancelled the version it reports
     * decides.
     */
    private static boolean leftItsPreviousImage(RolloutDeviceRecord original, Device device) {
        boolean reportsPrevious = original.getPreviousVersion() != null
                && original.getPreviousVersion().equals(device.firmwareVersion());
        RolloutDeviceState state = RolloutDeviceState.fromWireName(original.getState());
        if (state == RolloutDeviceState.FAILED) {
            return FailureReason.UNEXPECTED_VERSION.wireName().equals(original.getReason()) && !reportsPrevious;
        }
        return !reportsPrevious;
    }

    /** The request a rollout makes for one device: a rollback installs older images on purpose. */
    static UpdateRequest request(long firmwareId, RolloutSpec spec, boolean reverse) {
        return new UpdateRequest(firmwareId, spec.delivery(), null, !reverse && spec.allowModelMismatch(),
                reverse || spec.allowDowngrade());
    }

    static String reasonOf(InvalidUpdateException e, boolean reverse) {
        return reverse && e.reason() == UpdateRefusal.SECURITY_COUNTER_ROLLBACK ? "security-counter"
                : e.reason().wireName();
    }

    private static Optional<ImageVersion> version(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ImageVersion.parse(text.strip()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

package dev.ferry.sim.device;

import dev.ferry.image.ImageFormatException;
import dev.ferry.image.ImageVersion;
import dev.ferry.image.McubootImage;
import dev.ferry.sim.link.SimLink;
import dev.ferry.sim.mcuboot.Bootloader;
import dev.ferry.sim.mcuboot.FlashStorage;
import dev.ferry.sim.mcuboot.Slot;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parts of one {@link SimDevice} and the one lock that guards their state: its flash and MCUboot, object 5's
 * update machine, its link, and the roles that act on them (power and registration, the trial of a new image,
 * pulls, object 5's requests, events).
 */
final class DeviceParts {
    private static final AtomicInteger EXECUTORS = new AtomicInteger();

    private final SimDevice device;
    private final DeviceSettings settings;
    private final Bootloader bootloader;
    private final UpdateMachine machine;
    private final SimLink link;
    private final FaultState faultState;
    private final ScheduledExecutorService scheduler;
    private final SerialExecutor lifecycle;
    private final DeviceEvents events;
    private final PowerCycle power;
    private final TrialBoot trial;
    private final Downloads downloads;
    private final FirmwareUpdates firmware;
    private final Object lock = new Object();

    DeviceParts(SimDevice device, DeviceSettings settings, FlashStorage flash, byte[] primaryImage,
            ScheduledExecutorService scheduler, List<SimDevice.Listener> listeners) {
        this.device = device;
        this.settings = settings;
        this.scheduler = scheduler;
        this.lifecycle = new SerialExecutor(scheduler);
        this.events = new DeviceEvents(this, new EventHub(scheduler));
        listeners.forEach(events::addListener);
        this.bootloader = new Bootloader(flash, settings.trustedKeys());
        if (primaryImage != null && !bootloader.hasPrimaryImage()) {
            bootloader.program(primaryImage);
        }
        if (!bootloader.hasPrimaryImage()) {
            throw new IllegalStateException(settings.endpoint() + " has no image in its primary slot;"
                    + " give one with primaryImage(...)");
        }
        ImageVersion running;
        try {
            running = McubootImage.parse(flash.read(Slot.PRIMARY)).version();
        } catch (ImageFormatException e) {
            throw new IllegalStateException(settings.endpoint() + ": the primary slot holds no MCUboot image: "
                    + e.getMessage(), e);
        }
        this.faultState = new FaultState(settings.faults());
        this.machine = new UpdateMachine(flash, bootloader, settings.trustedKeys(), settings.slotSize(),
                settings.persistInterval(), events::stateChanged);
        this.link = new SimLink(settings.faults().link(), new Random(settings.seed()), scheduler);
        this.power = new PowerCycle(this, running);
        this.trial = new TrialBoot(this);
        this.downloads = new Downloads(this);
        this.firmware = new FirmwareUpdates(this);
        this.link.setUp(false);
        this.link.onSleepChange(asleep -> events.publish(asleep ? DeviceEvent.Type.FELL_ASLEEP
                : DeviceEvent.Type.WOKE_UP, -1, ""));
    }

    /** A small pool of daemon threads for a device that was given none, shut down when it closes. */
    static ScheduledExecutorService ownThreads(String endpoint) {
        int number = EXECUTORS.incrementAndGet();
        return Executors.newScheduledThreadPool(2, task -> {
            Thread thread = new Thread(task, "sim-" + endpoint + "-" + number);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The public face, handed to health checks and object 3. */
    SimDevice device() {
        return device;
    }

    DeviceSettings settings() {
        return settings;
    }

    Bootloader bootloader() {
        return bootloader;
    }

    UpdateMachine machine() {
        return machine;
    }

    SimLink link() {
        return link;
    }

    FaultState faultState() {
        return faultState;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Runs power changes, boots and reboots one at a time. */
    SerialExecutor lifecycle() {
        return lifecycle;
    }

    DeviceEvents events() {
        return events;
    }

    PowerCycle power() {
        return power;
    }

    TrialBoot trial() {
        return trial;
    }

    Downloads downloads() {
        return downloads;
    }

    FirmwareUpdates firmware() {
        return firmware;
    }

    /** Guards the state of every part. */
    Object lock() {
        return lock;
    }
}

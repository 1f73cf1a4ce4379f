package dev.ferry.image.sign;

import dev.ferry.image.ImageDependency;
import dev.ferry.image.ImageVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How to sign: the same choices as {@code imgtool sign}, with the same defaults. Build with
 * {@link #builder(ImageVersion, int)}; {@link Builder#build()} rejects inconsistent choices.
 */
public final class SignOptions {

    private static final Set<Integer> ALIGNMENTS = Set.of(1, 2, 4, 8, 16, 32);
    private static final Set<Integer> MAX_ALIGNMENTS = Set.of(8, 16, 32);
    /** imgtool's DEFAULT_MAX_SECTORS: how many sectors the swap status area is sized for. */
    public static final int DEFAULT_MAX_SECTORS = 128;

    private final Builder b;

    private SignOptions(Builder builder) {
        this.b = builder;
    }

    public static Builder builder(ImageVersion version, int headerSize) {
        return new Builder(version, headerSize);
    }

    public ImageVersion version() { return b.version; }
    public int headerSize() { return b.headerSize; }
    public boolean padHeader() { return b.padHeader; }
    public int slotSize() { return b.slotSize; }
    public boolean pad() { return b.pad || b.confirm; }
    public boolean confirm() { return b.confirm; }
    public int align() { return b.align; }
    public int maxAlign() { return b.maxAlign != 0 ? b.maxAlign : Math.max(8, b.align); }
    public int maxSectors() { return b.maxSectors; }
    public boolean overwriteOnly() { return b.overwriteOnly; }
    public int erasedValue() { return b.erasedValue; }
    public long loadAddress() { return b.loadAddress; }
    public long romFixedAddress() { return b.romFixedAddress; }
    public boolean nonBootable() { return b.nonBootable; }
    public PublicKeyFormat publicKeyFormat() { return b.publicKeyFormat; }
    public List<ImageDependency> dependencies() { return List.copyOf(b.dependencies); }

    /** The security counter to write into the protected SEC_CNT TLV, if any. */
    public OptionalLong securityCounter() {
        if (b.securityCounterFromVersion) {
            return OptionalLong.of(b.version.derivedSecurityCounter());
        }
        return b.securityCounter == null ? OptionalLong.empty() : OptionalLong.of(b.securityCounter);
    }

    /** Fluent setters; each says what happens by default. */
    public static final class Builder {
        private final ImageVersion version;
        private final int headerSize;
        private boolean padHeader;
        private int slotSize;
        private boolean pad;
        private boolean confirm;
        private int align = 1;
        private int maxAlign;
        private int maxSectors = DEFAULT_MAX_SECTORS;
        private boolean overwriteOnly;
        private int erasedValue = 0xff;
        private long loadAddress;
        private long romFixedAddress;
        private boolean nonBootable;
        private PublicKeyFormat publicKeyFormat = PublicKeyFormat.HASH;
        private Long securityCounter;
        private boolean securityCounterFromVersion;
        private final List<ImageDependency> dependencies = new ArrayList<>();

        private Builder(ImageVersion version, int headerSize) {
            this.version = version;
            this.headerSize = headerSize;
        }

        /** Prepends an erased header area to the input. By default the input must start with a zeroed one. */
        public Builder padHeader(boolean padHeader) { this.padHeader = padHeader; return this; }
        /** The slot the image must fit, trailer included. By default 0: no check, and no padding possible. */
        public Builder slotSize(int slotSize) { this.slotSize = slotSize; return this; }
        /** Pads to the slot size and writes the trailer magic. By default the image is not padded. */
        public Builder pad(boolean pad) { this.pad = pad; return this; }
        /** Pads and marks the image confirmed (image_ok), so it is not reverted. By default not confirmed. */
        public Builder confirm(boolean confirm) { this.confirm = confirm; return this; }
        /** The flash write alignment sizing the swap status area. By default 1. */
        public Builder align(int align) { this.align = align; return this; }
        /** The largest write alignment of both slots. By default max(8, align). */
        public Builder maxAlign(int maxAlign) { this.maxAlign = maxAlign; return this; }
        /** Sectors the swap status area covers. By default 128. */
        public Builder maxSectors(int maxSectors) { this.maxSectors = maxSectors; return this; }
        /** Sizes the trailer for overwrite-only upgrades. By default swap upgrades. */
        public Builder overwriteOnly(boolean overwriteOnly) { this.overwriteOnly = overwriteOnly; return this; }
        /** The value erased flash reads as, used for padding. By default 0xff. */
        public Builder erasedValue(int erasedValue) { this.erasedValue = erasedValue; return this; }
        /** Loads the image into RAM at this address (sets RAM_LOAD). By default 0: runs in place. */
        public Builder loadAddress(long loadAddress) { this.loadAddress = loadAddress; return this; }
        /** The flash address the image is built for (sets ROM_FIXED). By default none. */
        public Builder romFixedAddress(long address) { this.romFixedAddress = address; return this; }
        /** Marks the image non-bootable. By default bootable. */
        public Builder nonBootable(boolean nonBootable) { this.nonBootable = nonBootable; return this; }
        /** How the key is named in the image. By default {@link PublicKeyFormat#HASH}. */
        public Builder publicKeyFormat(PublicKeyFormat format) { this.publicKeyFormat = format; return this; }
        /** Writes a SEC_CNT TLV with this value. By default no security counter. */
        public Builder securityCounter(long counter) { this.securityCounter = counter; return this; }
        /** Writes a SEC_CNT TLV derived from the version, as imgtool's {@code auto}. */
        public Builder securityCounterFromVersion() { this.securityCounterFromVersion = true; return this; }
        /** Adds a DEPENDENCY TLV. By default none. */
        public Builder dependency(ImageDependency dependency) { this.dependencies.add(dependency); return this; }

        /** @throws IllegalArgumentException naming the first inconsistent option */
        public SignOptions build() {
            require(version != null, "a version is required");
            require(headerSize >= 32 && headerSize <= 0xffff, "header size must be between 0x20 and 0xffff, not 0x"
                    + Integer.toHexString(headerSize));
            require(slotSize >= 0, "slot size must not be negative");
            require(!(pad || confirm) || slotSize > 0, "padding (--pad, --confirm) needs a slot size");
            require(ALIGNMENTS.contains(align), "align must be one of 1, 2, 4, 8, 16, 32, not " + align);
            require(maxAlign == 0 || MAX_ALIGNMENTS.contains(maxAlign), "max align must be 8, 16 or 32, not " + maxAlign);
            require(maxSectors > 0, "max sectors must be positive");
            require(erasedValue == 0 || erasedValue == 0xff, "erased value must be 0 or 0xff");
            require(loadAddress >= 0 && loadAddress <= 0xffff_ffffL, "load address must fit 32 bits");
            require(romFixedAddress >= 0 && romFixedAddress <= 0xffff_ffffL, "ROM address must fit 32 bits");
            require(loadAddress == 0 || romFixedAddress == 0, "a load address and a fixed ROM address exclude each other");
            require(securityCounter == null || (securityCounter >= 0 && securityCounter <= 0xffff_ffffL),
                    "security counter must be between 0 and 0xffffffff");
            require(securityCounter == null || !securityCounterFromVersion,
                    "give either a security counter or 'auto', not both");
            return new SignOptions(this);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}

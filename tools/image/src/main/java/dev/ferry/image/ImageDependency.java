package dev.ferry.image;

/**
 * A DEPENDENCY TLV: this image needs image {@code imageId} at {@code minimumVersion} or newer.
 *
 * <p>Fixed format: {@code struct image_dependency}, 12 bytes: image id u8, two pad bytes
 * (u8, u16), then an {@code image_version}.
 */
public record ImageDependency(int imageId, ImageVersion minimumVersion) {

    /** Fixed format: size of {@code struct image_dependency}. */
    public static final int ENCODED_SIZE = 12;

    public ImageDependency {
        if (imageId < 0 || imageId > 0xff) {
            throw new IllegalArgumentException("dependency image id " + imageId + " is out of range 0..255");
        }
    }

    public byte[] encode() {
        LittleEndian out = new LittleEndian(ENCODED_SIZE);
        out.u8(imageId).u8(0).u16(0);
        out.u8(minimumVersion.major()).u8(minimumVersion.minor())
                .u16(minimumVersion.revision()).u32(minimumVersion.build());
        return out.bytes();
    }

    static ImageDependency decode(byte[] value) {
        LittleEndian in = LittleEndian.wrap(value);
        int id = in.u8At(0);
        ImageVersion version = new ImageVersion(in.u8At(4), in.u8At(5), in.u16At(6), in.u32At(8));
        return new ImageDependency(id, version);
    }

    @Override
    public String toString() {
        return "image " + imageId + " >= " + minimumVersion;
    }
}

package dev.gpt4video.safety.sdchecker;

/**
 * CLIP image preprocessing as HF {@code CLIPImageProcessor} does it for the safety checker: shortest
 * edge to {@code size} (longer edge {@code int(size * long / short)}) with Pillow bicubic, centre
 * crop to {@code size x size}, {@code (u8/255 - mean) / std} in float32, CHW. HF crops at
 * {@code floor((h - size) / 2)}; openai/CLIP rounds half to even, which is one pixel off on some
 * sizes, so the rule is selectable.
 */
public final class ClipImagePreprocessor {
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** How the crop offset is rounded. */
    public enum Crop { HF_FLOOR, OPENAI_ROUND_HALF_EVEN }

    private final int size;
    private final Crop crop;

    public ClipImagePreprocessor(int size, Crop crop) {
        this.size = size;
        this.crop = crop;
    }

    /** Output size of the shortest-edge resize, as {width, height}. */
    public int[] resizedSize(int w, int h) {
        if (w <= h) {
            return new int[] {size, (int) ((long) size * h / w)};
        }
        return new int[] {(int) ((long) size * w / h), size};
    }

    /** Crop offsets {top, left} for a resized {@code w x h} image. */
    public int[] cropOffsets(int w, int h) {
        return new int[] {offset(h), offset(w)};
    }

    private int offset(int length) {
        return switch (crop) {
            case HF_FLOOR -> Math.floorDiv(length - size, 2);
            case OPENAI_ROUND_HALF_EVEN -> (int) Math.rint((length - size) / 2.0);
        };
    }

    /** One packed RGB image to CHW float32 pixel values of side {@code size}. */
    public float[] pixelValues(byte[] rgb, int w, int h) {
        int[] r = resizedSize(w, h);
        byte[] resized = PilBicubic.resize(rgb, w, h, r[0], r[1]);
        int[] off = cropOffsets(r[0], r[1]);
        float[] out = new float[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int sy = y + off[0];
                int sx = x + off[1];
                boolean inside = sy >= 0 && sx >= 0 && sy < r[1] && sx < r[0];
                for (int c = 0; c < 3; c++) {
                    int u8 = inside ? resized[(sy * r[0] + sx) * 3 + c] & 0xFF : 0;
                    out[(c * size + y) * size + x] = (u8 / 255f - MEAN[c]) / STD[c];
                }
            }
        }
        return out;
    }
}

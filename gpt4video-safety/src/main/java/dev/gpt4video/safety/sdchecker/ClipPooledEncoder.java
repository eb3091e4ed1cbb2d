package dev.gpt4video.safety.sdchecker;

/**
 * What the safety checker needs from a CLIP vision tower: the pooled output
 * ({@code post_layernorm} of the class token) for a batch of normalised images. The abstractor
 * module's tower can stand behind this interface once it is shared; until then
 * {@link MinimalClipVisionTower} does the job.
 */
public interface ClipPooledEncoder extends AutoCloseable {
    ClipVisionSettings settings();

    /** {@code pixelValues} is NCHW float32, already resized, cropped and normalised; returns [n][hidden]. */
    float[][] pooledOutput(float[] pixelValues, int n);

    @Override
    default void close() {
    }
}

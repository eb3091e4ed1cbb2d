package dev.gpt4video.abstractor.decode;

/**
 * Which frames of a video the model sees: mPLUG-Owl's {@code get_index(num_frames, num_segments)}.
 *
 * <p>The video is cut into {@code n} equal segments of {@code (N-1)/n} frames and the frame nearest the
 * middle of each is taken: {@code start = (int)(seg/2)}, {@code idx_i = start + rint(seg*i)}. Python's
 * {@code np.round} rounds halves to even, which is {@link Math#rint}. For {@code N=100, n=4} this gives
 * {@code [12, 37, 62, 86]}; when {@code N < n} indices repeat.
 */
public final class FrameSampler {
    private FrameSampler() {
    }

    /** Indices into {@code [0, totalFrames)} of the {@code numFrames} frames to sample, ascending. */
    public static int[] indices(int totalFrames, int numFrames) {
        if (totalFrames < 1) {
            throw new IllegalArgumentException("totalFrames must be >= 1, got " + totalFrames);
        }
        if (numFrames < 1) {
            throw new IllegalArgumentException("numFrames must be >= 1, got " + numFrames);
        }
        // seg is a Python float (double); the reference computes float(N - 1) / n.
        double seg = (double) (totalFrames - 1) / numFrames;
        int start = (int) (seg / 2);
        int[] out = new int[numFrames];
        for (int i = 0; i < numFrames; i++) {
            out[i] = start + (int) Math.rint(seg * i);
        }
        return out;
    }
}

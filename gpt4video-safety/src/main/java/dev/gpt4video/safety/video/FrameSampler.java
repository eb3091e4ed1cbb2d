package dev.gpt4video.safety.video;

import dev.gpt4video.core.video.Frames;

import java.util.ArrayList;
import java.util.List;

/**
 * Picks {@code n} frames the way the reference does (mPLUG-Owl {@code get_index}, also used by
 * GPT4Video's safety checker with n = 10): segment centres, {@code np.round} = half to even.
 */
public final class FrameSampler {
    private FrameSampler() {
    }

    /** Indices for {@code n} frames out of {@code total}; repeats indices when total < n. */
    public static int[] indices(int total, int n) {
        double seg = (double) (total - 1) / n;
        int start = (int) (seg / 2);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = start + (int) Math.rint(seg * i);
        }
        return idx;
    }

    /** The sampled frames; all of them when the video has at most {@code n}. */
    public static Frames sample(Frames frames, int n) {
        if (frames.count() <= n) {
            return frames;
        }
        List<byte[]> picked = new ArrayList<>(n);
        for (int i : indices(frames.count(), n)) {
            picked.add(frames.rgb().get(i));
        }
        return new Frames(frames.width(), frames.height(), frames.fps(), picked);
    }
}

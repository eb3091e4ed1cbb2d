package dev.gpt4video.abstractor.decode;

import java.util.List;

/**
 * Frames sampled from one video, upright, as RGB.
 *
 * @param probe       what the container says about the stream
 * @param totalFrames number of video frames actually present (counted from the packets), the {@code N} of
 *                    {@link FrameSampler#indices(int, int)}
 * @param indices     the sampled frame indices, in presentation order, one per frame
 * @param timestamps  presentation time of each sampled frame, seconds from the stream start
 * @param frames      the pictures, all of the same size; arrays are shared (read-only)
 */
public record DecodedFrames(VideoProbe probe, int totalFrames, int[] indices, double[] timestamps,
                            List<RgbImage> frames) {

    public DecodedFrames {
        frames = List.copyOf(frames);
        if (indices.length != frames.size() || timestamps.length != frames.size()) {
            throw new IllegalArgumentException("indices, timestamps and frames must have the same length");
        }
    }

    public int size() {
        return frames.size();
    }

    public int width() {
        return frames.isEmpty() ? 0 : frames.get(0).width();
    }

    public int height() {
        return frames.isEmpty() ? 0 : frames.get(0).height();
    }

    public RgbImage frame(int i) {
        return frames.get(i);
    }
}

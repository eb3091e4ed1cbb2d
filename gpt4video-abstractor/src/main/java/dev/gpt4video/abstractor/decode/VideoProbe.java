package dev.gpt4video.abstractor.decode;

/**
 * What a video container says about its video stream, read without decoding frames.
 *
 * @param container       FFmpeg demuxer name, e.g. {@code mov,mp4,m4a,3gp,3g2,mj2} or {@code matroska,webm}
 * @param codec           FFmpeg codec name of the video stream, e.g. {@code h264}, {@code mpeg4}, {@code vp9}
 * @param durationSeconds duration of the file (or of the video stream when the file has none), seconds; 0 if unknown
 * @param fps             the stream's guessed frame rate (average for variable frame rate); 0 if unknown
 * @param frameCount      number of video frames: from the container when it says ({@code frameCountExact}),
 *                        otherwise {@code round(duration * fps)}
 * @param frameCountExact whether {@code frameCount} comes from the container rather than an estimate
 * @param width           coded width of the frames, before rotation
 * @param height          coded height of the frames, before rotation
 * @param rotation        clockwise rotation (0, 90, 180, 270) needed to show the frames upright, from the
 *                        display matrix or the legacy {@code rotate} tag
 */
public record VideoProbe(String container, String codec, double durationSeconds, double fps, long frameCount,
                         boolean frameCountExact, int width, int height, int rotation) {

    /** Width of the upright picture (after {@link #rotation()}). */
    public int displayWidth() {
        return rotation % 180 == 0 ? width : height;
    }

    /** Height of the upright picture (after {@link #rotation()}). */
    public int displayHeight() {
        return rotation % 180 == 0 ? height : width;
    }
}

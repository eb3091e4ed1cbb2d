package dev.gpt4video.t2v.video;

import dev.gpt4video.core.video.Frames;
import org.jcodec.codecs.h264.H264Encoder;
import org.jcodec.codecs.h264.encode.DumbRateControl;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.codecs.h264.io.model.VUIParameters;
import org.jcodec.common.Codec;
import org.jcodec.common.MuxerTrack;
import org.jcodec.common.VideoCodecMeta;
import org.jcodec.common.VideoEncoder.EncodedFrame;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Packet;
import org.jcodec.common.model.Packet.FrameType;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Size;
import org.jcodec.containers.mp4.muxer.MP4Muxer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Encodes frames to an MP4 that browsers play: H.264 constrained baseline, 4:2:0 (yuv420p, limited
 * range, tagged BT.709), fast-start (moov before mdat), one sample per frame at the frames' fps.
 *
 * <p>The encoder is JCodec's pure-Java H.264 encoder (no native code, BSD): the LGPL FFmpeg build
 * that JavaCV ships has no H.264 encoder. Its output is intra 16x16 / inter 16x16 CAVLC only, so
 * files are larger than x264's at the same quality; for a few seconds of 576x320 that is a few
 * hundred KB. H.264 4:2:0 needs even sizes: an odd width or height is padded by one column/row that
 * repeats the last one (nothing of the picture is lost; see {@link #encodedSize}).
 *
 * <pre>{@code
 * new Mp4Encoder().encode(video.frames(), dir.resolve("video.mp4"));
 * }</pre>
 *
 * <p>Instances hold no state between calls and may be shared between threads.
 */
public final class Mp4Encoder {
    /** Largest width or height accepted (H.264 level 5.1 allows 4096 wide at low rates). */
    public static final int MAX_DIMENSION = 4096;

    private final double keyIntervalSeconds;

    /** Key frames every two seconds, enough for a browser to seek without decoding the whole file. */
    public Mp4Encoder() {
        this(2.0);
    }

    public Mp4Encoder(double keyIntervalSeconds) {
        if (!(keyIntervalSeconds > 0)) {
            throw new IllegalArgumentException("keyIntervalSeconds: " + keyIntervalSeconds + " must be > 0");
        }
        this.keyIntervalSeconds = keyIntervalSeconds;
    }

    /** Width and height of the encoded picture. */
    public record Dimensions(int width, int height) {
    }

    /** The size the MP4 will have for frames of {@code width x height}: odd sizes grow by one. */
    public static Dimensions encodedSize(int width, int height) {
        return new Dimensions(width + (width & 1), height + (height & 1));
    }

    /**
     * Writes {@code frames} as a fast-start MP4 to {@code out}, replacing it atomically (the file
     * appears complete or not at all).
     */
    public void encode(Frames frames, Path out) throws IOException {
        if (frames.count() == 0) {
            throw new IllegalArgumentException("no frames to encode");
        }
        if (frames.width() > MAX_DIMENSION || frames.height() > MAX_DIMENSION) {
            throw new IllegalArgumentException("frame size " + frames.width() + "x" + frames.height()
                    + " is above " + MAX_DIMENSION);
        }
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Sibling temp files (not Files.createTempFile, whose 0600 mode the final file would keep).
        String stem = "." + out.getFileName() + "." + UUID.randomUUID();
        Path muxed = dir.resolve(stem + ".mux");
        Path faststart = dir.resolve(stem + ".faststart");
        try {
            mux(frames, muxed);
            FastStart.rewrite(muxed, faststart);
            Files.move(faststart, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(muxed);
            Files.deleteIfExists(faststart);
        }
    }

    /** Encodes to bytes (for callers that stream the result rather than store it). */
    public byte[] encode(Frames frames) throws IOException {
        Path dir = Files.createTempDirectory("mp4-");
        Path file = dir.resolve("video.mp4");
        try {
            encode(frames, file);
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private void mux(Frames frames, Path file) throws IOException {
        Dimensions even = encodedSize(frames.width(), frames.height());
        Size size = new Size(even.width(), even.height());
        FrameTiming timing = FrameTiming.of(frames.fps());
        int keyInterval = (int) Math.max(1, Math.min(300, Math.round(keyIntervalSeconds * frames.fps())));

        H264Encoder encoder = new TaggedBaselineEncoder(size);
        encoder.setKeyInterval(keyInterval);
        Picture picture = Picture.createCropped((size.getWidth() + 15) & ~15, (size.getHeight() + 15) & ~15,
                ColorSpace.YUV420J, new org.jcodec.common.model.Rect(0, 0, size.getWidth(), size.getHeight()));
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(1 << 16, picture.getWidth() * picture.getHeight() * 2));

        try (FileChannelWrapper channel = NIOUtils.writableChannel(file.toFile())) {
            MP4Muxer muxer = MP4Muxer.createMP4MuxerToChannel(channel);
            MuxerTrack track = muxer.addVideoTrack(Codec.H264,
                    VideoCodecMeta.createSimpleVideoCodecMeta(size, ColorSpace.YUV420));
            for (int i = 0; i < frames.count(); i++) {
                Bt709.fill(frames.rgb().get(i), frames.width(), frames.height(), picture);
                buffer.clear();
                EncodedFrame encoded = encoder.encodeFrame(picture, buffer);
                // The muxer keeps packets until it flushes a chunk, so each needs its own bytes.
                ByteBuffer data = ByteBuffer.allocate(encoded.getData().remaining());
                data.put(encoded.getData()).flip();
                track.addFrame(Packet.createPacket(data, (long) i * timing.frameDuration(), timing.timescale(),
                        timing.frameDuration(), i, encoded.isKeyFrame() ? FrameType.KEY : FrameType.INTER, null));
            }
            muxer.finish();
        }
    }

    /** Frame duration in track ticks; fps such as 29.97 (30000/1001) stay exact. */
    record FrameTiming(int timescale, int frameDuration) {
        static FrameTiming of(double fps) {
            for (int den : new int[] {1, 1001, 1000}) {
                double num = fps * den;
                long rounded = Math.round(num);
                if (rounded > 0 && Math.abs(num - rounded) < 1e-6 * den) {
                    // Scale small rates up so edit lists and players have ticks finer than a frame.
                    long k = Math.max(1, (600 + rounded - 1) / rounded);
                    return new FrameTiming(Math.toIntExact(rounded * k), Math.toIntExact(den * k));
                }
            }
            return new FrameTiming(Math.toIntExact(Math.round(fps * 1000)), 1000);
        }
    }

    /**
     * JCodec's encoder with an SPS that says what the stream is: constrained baseline (the encoder
     * uses no FMO/ASO/redundant slices), a level that covers the frame size, and a VUI with limited
     * range BT.709 so players convert colours the way {@link Bt709} produced them.
     */
    private static final class TaggedBaselineEncoder extends H264Encoder {
        private final int level;

        TaggedBaselineEncoder(Size size) {
            super(new DumbRateControl());
            int macroblocks = ((size.getWidth() + 15) >> 4) * ((size.getHeight() + 15) >> 4);
            this.level = macroblocks <= 1620 ? 30 : macroblocks <= 8192 ? 40 : 51;
        }

        @Override
        public SeqParameterSet initSPS(Size size) {
            SeqParameterSet sps = super.initSPS(size);
            sps.constraintSet0Flag = true;
            sps.constraintSet1Flag = true;
            sps.levelIdc = level;
            VUIParameters vui = new VUIParameters();
            vui.videoSignalTypePresentFlag = true;
            vui.videoFormat = 5; // unspecified
            vui.videoFullRangeFlag = false;
            vui.colourDescriptionPresentFlag = true;
            vui.colourPrimaries = 1; // BT.709
            vui.transferCharacteristics = 1;
            vui.matrixCoefficients = 1;
            sps.vuiParams = vui;
            return sps;
        }
    }
}

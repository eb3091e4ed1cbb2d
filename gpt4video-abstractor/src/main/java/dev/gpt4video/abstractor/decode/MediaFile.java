package dev.gpt4video.abstractor.decode;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVProbeData;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_ALL;
import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_DEFAULT;
import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_NONREF;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_CORRUPT;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_get;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_ATTACHED_PIC;
import static org.bytedeco.ffmpeg.global.avformat.av_guess_frame_rate;
import static org.bytedeco.ffmpeg.global.avformat.av_probe_input_format3;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_get;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_display_rotation_get;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

/**
 * One open video file: the FFmpeg demuxer, the video decoder and the RGB converter, owned together and
 * freed together by {@link #close()}. Not thread-safe; {@link VideoDecoder} opens one per call.
 *
 * <p>Drives libavformat/libavcodec/libswscale (the bytedeco builds JavaCV wraps) directly rather than
 * through {@code FFmpegFrameGrabber}, for three things the grabber does not offer: frame-exact seeking by
 * the stream's own packet timestamps (the grabber seeks by {@code frame/fps}, wrong for variable frame
 * rate, and stops after 1000 frames), an {@code AVIOInterruptCB} so a deadline can abort FFmpeg inside a
 * blocking call, and per-decoder {@code max_pixels} so a hostile header cannot make FFmpeg allocate a
 * huge frame while it probes the stream.
 */
final class MediaFile implements AutoCloseable {

    /**
     * Demuxers accepted, by FFmpeg name. Everything else (images, raw streams, playlists such as HLS or
     * concat that open other files, audio-only formats) is refused before FFmpeg opens the file.
     */
    static final Set<String> ACCEPTED_DEMUXERS = Set.of("mov", "mp4", "matroska", "webm", "avi", "flv", "mpegts",
            "mpeg", "ogg", "gif", "asf");

    private static final int PROBE_BYTES = 1 << 20;

    /** Sessions by the address of their AVFormatContext, for the one shared interrupt callback. */
    private static final Map<Long, DecodeSession> SESSIONS = new ConcurrentHashMap<>();

    /**
     * JavaCPP callbacks are a limited native resource, so there is exactly one, shared by all files; it
     * finds the file's session from the {@code opaque} pointer (its AVFormatContext).
     */
    private static final AVIOInterruptCB.Callback_Pointer INTERRUPT;

    static {
        // FFmpeg logs every concealed error of a damaged upload to stderr; the caller gets a coded exception.
        av_log_set_level(AV_LOG_FATAL);
        INTERRUPT = new AVIOInterruptCB.Callback_Pointer() {
            @Override
            public int call(Pointer opaque) {
                DecodeSession s = opaque == null ? null : SESSIONS.get(opaque.address());
                return s != null && s.aborted() ? 1 : 0;
            }
        };
    }

    private final Path path;
    private final DecodeLimits limits;
    private final DecodeSession session;
    private final int swsFlags;
    private final int decoderThreads;

    private AVInputFormat format;
    private AVFormatContext fmt;
    private long sessionKey;
    private AVStream stream;
    private int streamIndex = -1;
    private AVCodecContext codec;
    private AVPacket packet;
    private AVFrame frame;
    private SwsContext sws;
    private BytePointer rgbBuffer;
    private VideoProbe probe;

    // Frame table from the packet scan: presentation timestamps (stream time base), ascending.
    private long[] framePts;
    private long[] keyframePts;
    private long lastDecodedPts = Long.MIN_VALUE;
    private boolean decoderDrained;

    MediaFile(Path path, DecodeLimits limits, DecodeSession session, int swsFlags, int decoderThreads) {
        this.path = path;
        this.limits = limits;
        this.session = session;
        this.swsFlags = swsFlags;
        this.decoderThreads = decoderThreads;
    }

    /** Recognises the container, opens it, finds the video stream and checks it against the limits. */
    VideoProbe open() {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED, "cannot read the video file: " + e.getMessage(), e);
        }
        if (size == 0) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED, "the video file is empty (0 bytes)");
        }
        if (size > limits.maxFileBytes()) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_TOO_LARGE,
                    "the video file is " + size + " bytes; the limit is " + limits.maxFileBytes());
        }
        format = recognise(size);
        String formatName = format.name().getString();
        openDemuxer();

        if (fmt.nb_streams() == 0) {
            // Nothing usable in the header: an MP4 cut inside its index, or one with only empty tracks.
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED,
                    "the " + formatName + " file holds no streams; it is truncated or has no frames");
        }
        streamIndex = findVideoStream();
        if (streamIndex < 0) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_NO_STREAM,
                    "the " + formatName + " file has no video stream (" + describeStreams() + ")");
        }
        stream = fmt.streams(streamIndex);
        checkDimensions(stream.codecpar().width(), stream.codecpar().height(), "the container declares");

        findStreamInfo();
        session.checkAborted();
        AVCodecParameters par = stream.codecpar();
        checkDimensions(par.width(), par.height(), "the stream has");
        if (par.width() <= 0 || par.height() <= 0) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED,
                    "the video stream has no usable frame size (" + par.width() + "x" + par.height() + ")");
        }
        for (int i = 0; i < fmt.nb_streams(); i++) {
            if (i != streamIndex) {
                fmt.streams(i).discard(AVDISCARD_ALL);
            }
        }

        double duration = durationSeconds();
        AVRational fr = av_guess_frame_rate(fmt, stream, null);
        double fps = fr != null && fr.num() > 0 && fr.den() > 0 ? av_q2d(fr) : 0;
        long declared = stream.nb_frames();
        boolean exact = declared > 0;
        long frameCount = exact ? declared : Math.round(duration * fps);
        probe = new VideoProbe(formatName, avcodec_get_name(par.codec_id()).getString(), duration, fps, frameCount,
                exact, par.width(), par.height(), rotation());

        if (duration > limits.maxDuration().toMillis() / 1000.0) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_TOO_LONG, String.format(
                    "the video is %.1f s long; the limit is %d s", duration, limits.maxDuration().toSeconds()));
        }
        if (frameCount > limits.maxFrames()) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_TOO_LONG,
                    "the video has " + frameCount + " frames; the limit is " + limits.maxFrames());
        }
        return probe;
    }

    /** Opens the demuxer on the recognised format, wired to the session's interrupt callback. */
    private void openDemuxer() {
        AVFormatContext ctx = avformat_alloc_context();
        if (ctx == null || ctx.isNull()) {
            throw new OutOfMemoryError("avformat_alloc_context");
        }
        sessionKey = ctx.address();
        SESSIONS.put(sessionKey, session);
        AVIOInterruptCB cb = new AVIOInterruptCB();
        cb.callback(INTERRUPT);
        cb.opaque(ctx);
        ctx.interrupt_callback(cb);
        cb.close();

        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "protocol_whitelist", "file", 0);
        int ret;
        try {
            ret = avformat_open_input(ctx, path.toAbsolutePath().toString(), format, options);
        } finally {
            av_dict_free(options);
        }
        if (ret < 0) {
            // avformat_open_input frees the context on failure.
            SESSIONS.remove(sessionKey);
            sessionKey = 0;
            session.checkAborted();
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED, "cannot read the " + format.name().getString()
                    + " container (" + error(ret) + "); the file may be truncated or corrupt");
        }
        fmt = ctx;
    }

    /** Probes the first bytes with FFmpeg's content sniffers (the file name plays no part). */
    private AVInputFormat recognise(long size) {
        int n = (int) Math.min(size, PROBE_BYTES);
        byte[] head = new byte[n];
        try (InputStream in = Files.newInputStream(path)) {
            int off = 0;
            while (off < n) {
                int r = in.read(head, off, n - off);
                if (r < 0) {
                    break;
                }
                off += r;
            }
            n = off;
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED, "cannot read the video file: " + e.getMessage(), e);
        }
        // AVPROBE_PADDING_SIZE zero bytes must follow the data.
        try (BytePointer buf = new BytePointer(n + 64L);
             BytePointer name = new BytePointer("");
             AVProbeData pd = new AVProbeData();
             IntPointer score = new IntPointer(1)) {
            buf.zero();
            buf.put(head, 0, n);
            pd.zero();
            pd.filename(name).buf(buf).buf_size(n);
            AVInputFormat f = av_probe_input_format3(pd, 1, score);
            // A whole small file may be recognised on any positive score; a prefix needs FFmpeg's own bar.
            int needed = n == size ? 1 : 26;
            if (f == null || f.isNull() || score.get() < needed) {
                throw new Gpt4VideoException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "the file is not a recognised video container");
            }
            String fname = f.name().getString();
            if (!accepted(fname)) {
                throw new Gpt4VideoException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "the file is " + describeFormat(fname) + ", not an accepted video container (accepted: "
                                + "MP4/MOV, Matroska/WebM, AVI, FLV, MPEG-TS/PS, Ogg, GIF, ASF/WMV)");
            }
            return f;
        }
    }

    /** Files currently open (for leak checks). */
    static int openSessions() {
        return SESSIONS.size();
    }

    static boolean accepted(String demuxerName) {
        for (String part : demuxerName.split(",")) {
            if (ACCEPTED_DEMUXERS.contains(part)) {
                return true;
            }
        }
        return false;
    }

    private static String describeFormat(String fname) {
        if (fname.endsWith("_pipe") || fname.equals("image2")) {
            return "an image (" + fname + ")";
        }
        return "'" + fname + "'";
    }

    private int findVideoStream() {
        for (int i = 0; i < fmt.nb_streams(); i++) {
            AVStream st = fmt.streams(i);
            if (st.codecpar().codec_type() == AVMEDIA_TYPE_VIDEO
                    && (st.disposition() & AV_DISPOSITION_ATTACHED_PIC) == 0) {
                return i;
            }
        }
        return -1;
    }

    private String describeStreams() {
        if (fmt.nb_streams() == 0) {
            return "no streams";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fmt.nb_streams(); i++) {
            AVCodecParameters p = fmt.streams(i).codecpar();
            if (i > 0) {
                sb.append(", ");
            }
            String type = switch (p.codec_type()) {
                case 0 -> "video (cover art)";
                case 1 -> "audio";
                case 3 -> "subtitle";
                default -> "data";
            };
            sb.append(type).append(' ').append(avcodec_get_name(p.codec_id()).getString());
        }
        return sb.toString();
    }

    private void checkDimensions(int w, int h, String what) {
        if (w > limits.maxDimension() || h > limits.maxDimension()) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_TOO_LARGE, what + " frames of " + w + "x" + h
                    + "; the limit is " + limits.maxDimension() + " pixels per side");
        }
        if ((long) w * h > limits.maxPixels()) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_TOO_LARGE, what + " frames of " + w + "x" + h + " = "
                    + ((long) w * h) + " pixels; the limit is " + limits.maxPixels() + " pixels per frame");
        }
    }

    /**
     * FFmpeg's own {@code max_pixels} for every decoder: a guard against decompression bombs while
     * FFmpeg probes, loose enough (4x, at least 16 Mpx) that a frame just over the limit is still
     * measured and reported as too large, and that decoders which check their padded buffer size are not
     * refused. The exact limit is checked on every header and every decoded frame.
     */
    private long pixelGuard() {
        return Math.min(Math.max(4 * limits.maxPixels(), 16L << 20), Integer.MAX_VALUE);
    }

    private void findStreamInfo() {
        int n = fmt.nb_streams();
        PointerPointer<AVDictionary> perStream = new PointerPointer<>(n);
        AVDictionary[] dicts = new AVDictionary[n];
        try {
            for (int i = 0; i < n; i++) {
                dicts[i] = new AVDictionary(null);
                av_dict_set(dicts[i], "max_pixels", Long.toString(pixelGuard()), 0);
                perStream.put(i, dicts[i]);
            }
            int ret = avformat_find_stream_info(fmt, perStream);
            if (ret < 0) {
                session.checkAborted();
                throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED,
                        "cannot read the video stream parameters (" + error(ret) + ")");
            }
        } finally {
            for (int i = 0; i < n; i++) {
                // find_stream_info replaced each entry with the options it did not consume.
                AVDictionary d = perStream.get(AVDictionary.class, i);
                if (d != null && !d.isNull()) {
                    av_dict_free(d);
                }
            }
            perStream.close();
        }
    }

    private double durationSeconds() {
        if (fmt.duration() != AV_NOPTS_VALUE && fmt.duration() > 0) {
            return fmt.duration() / 1_000_000.0;
        }
        if (stream.duration() != AV_NOPTS_VALUE && stream.duration() > 0) {
            return stream.duration() * av_q2d(stream.time_base());
        }
        return 0;
    }

    /** Clockwise degrees (0/90/180/270) that make the picture upright. */
    private int rotation() {
        AVCodecParameters par = stream.codecpar();
        double ccw = Double.NaN;
        if (par.nb_coded_side_data() > 0) {
            AVPacketSideData sd = av_packet_side_data_get(par.coded_side_data(), par.nb_coded_side_data(),
                    AV_PKT_DATA_DISPLAYMATRIX);
            if (sd != null && !sd.isNull() && sd.size() >= 36) {
                ccw = av_display_rotation_get(new IntPointer(sd.data()));
            }
        }
        double clockwise;
        if (!Double.isNaN(ccw)) {
            // av_display_rotation_get gives the counter-clockwise angle the matrix applies; showing the
            // frame upright means rotating it clockwise by that much (what ffmpeg's autorotate does).
            clockwise = -ccw;
        } else {
            AVDictionaryEntry tag = av_dict_get(stream.metadata(), "rotate", null, 0);
            if (tag == null || tag.isNull()) {
                return 0;
            }
            try {
                clockwise = Double.parseDouble(tag.value().getString().trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        long quarter = Math.round(clockwise / 90.0);
        return (int) Math.floorMod(quarter * 90, 360);
    }

    /**
     * Reads every video packet once (demuxing only, no decoding) to learn how many frames there are and
     * the presentation timestamp of each, the way decord indexes a file. Rejects files whose packets stop
     * short of what the container declares.
     */
    int scanFrames() {
        packet = av_packet_alloc();
        long[] pts = new long[1024];
        long[] keys = new long[64];
        int count = 0;
        int keyCount = 0;
        long lastDuration = 0;
        boolean corrupt = false;
        int ret;
        while ((ret = av_read_frame(fmt, packet)) >= 0) {
            try {
                if (packet.stream_index() != streamIndex) {
                    continue;
                }
                session.checkAborted();
                if (count >= limits.maxFrames()) {
                    throw new Gpt4VideoException(ErrorCode.VIDEO_TOO_LONG,
                            "the video has more than " + limits.maxFrames() + " frames (the limit)");
                }
                long t = packet.pts() != AV_NOPTS_VALUE ? packet.pts() : packet.dts();
                if (t == AV_NOPTS_VALUE) {
                    t = count == 0 ? 0 : pts[count - 1] + Math.max(1, lastDuration);
                }
                if ((packet.flags() & AV_PKT_FLAG_CORRUPT) != 0) {
                    corrupt = true;
                }
                if (count == pts.length) {
                    pts = Arrays.copyOf(pts, count * 2);
                }
                pts[count++] = t;
                if ((packet.flags() & AV_PKT_FLAG_KEY) != 0) {
                    if (keyCount == keys.length) {
                        keys = Arrays.copyOf(keys, keyCount * 2);
                    }
                    keys[keyCount++] = t;
                }
                lastDuration = packet.duration();
            } finally {
                av_packet_unref(packet);
            }
        }
        session.checkAborted();
        if (ret != AVERROR_EOF && ret != AVERROR_EXIT) {
            throw truncated("reading stopped after " + count + " frames (" + error(ret) + ")");
        }
        if (count == 0) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED, "the video stream has no frames");
        }
        if (corrupt) {
            throw truncated("some frames are cut short");
        }
        if (stream.nb_frames() > count) {
            throw truncated("the container declares " + stream.nb_frames() + " frames but holds " + count);
        }
        framePts = Arrays.copyOf(pts, count);
        Arrays.sort(framePts);
        keyframePts = Arrays.copyOf(keys, keyCount);
        Arrays.sort(keyframePts);
        checkExtent(lastDuration);
        return count;
    }

    /** A single-stream file whose header promises clearly more time than its packets cover was cut short. */
    private void checkExtent(long lastPacketDuration) {
        if (fmt.nb_streams() != 1 || fmt.duration() == AV_NOPTS_VALUE || fmt.duration() <= 0) {
            return;
        }
        double tb = av_q2d(stream.time_base());
        double frame = probe.fps() > 0 ? 1 / probe.fps() : 0;
        double observed = (framePts[framePts.length - 1] - framePts[0]) * tb
                + Math.max(lastPacketDuration * tb, frame);
        double declared = fmt.duration() / 1_000_000.0;
        if (observed < declared - Math.max(0.5, 2 * frame)) {
            throw truncated(String.format("the header says %.2f s but the frames cover %.2f s", declared, observed));
        }
    }

    private static Gpt4VideoException truncated(String detail) {
        return new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED,
                "the video is truncated or corrupt: " + detail);
    }

    long framePts(int index) {
        return framePts[index];
    }

    double seconds(long pts) {
        long start = stream.start_time() != AV_NOPTS_VALUE ? stream.start_time() : framePts[0];
        return (pts - start) * av_q2d(stream.time_base());
    }

    void openDecoder() {
        AVCodecParameters par = stream.codecpar();
        AVCodec dec = avcodec_find_decoder(par.codec_id());
        if (dec == null || dec.isNull()) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED,
                    "no decoder for the " + avcodec_get_name(par.codec_id()).getString() + " codec in this build");
        }
        codec = avcodec_alloc_context3(dec);
        if (codec == null || codec.isNull()) {
            throw new OutOfMemoryError("avcodec_alloc_context3");
        }
        int ret = avcodec_parameters_to_context(codec, par);
        if (ret < 0) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED, "bad codec parameters (" + error(ret) + ")");
        }
        codec.pkt_timebase(stream.time_base());
        codec.thread_count(decoderThreads);
        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "max_pixels", Long.toString(pixelGuard()), 0);
        try {
            ret = avcodec_open2(codec, dec, options);
        } finally {
            av_dict_free(options);
        }
        if (ret < 0) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED, "cannot open the decoder (" + error(ret) + ")");
        }
        frame = av_frame_alloc();
    }

    /**
     * Decodes the frame whose presentation timestamp is {@code target} and returns it as upright RGB of
     * {@code width x height} (the upright size). Seeks to the last keyframe at or before the target only
     * when that is shorter than decoding on from the current position.
     */
    RgbImage decodeAt(long target, int width, int height) {
        boolean seek = decoderDrained || lastDecodedPts == Long.MIN_VALUE || target <= lastDecodedPts
                || keyframeBetween(lastDecodedPts, target);
        if (!seek) {
            RgbImage img = decodeForward(target, width, height, false);
            if (img != null) {
                return img;
            }
        }
        // Some demuxers (MPEG-TS, files without an index) seek by approximate timestamps and can land
        // after the target; back off further each time, then start over from the first byte.
        long oneSecond = Math.max(1, Math.round(1 / av_q2d(stream.time_base())));
        long back = 0;
        for (int attempt = 0; attempt < 4; attempt++) {
            if (!seekBefore(target - back)) {
                break;
            }
            RgbImage img = decodeForward(target, width, height, false);
            if (img != null) {
                return img;
            }
            back = back == 0 ? oneSecond : back * 4;
        }
        restart();
        // From the first packet there is nothing earlier to go back to: a stream whose first decodable
        // frame is already past the target (leading frames that reference a missing GOP) gives that frame.
        RgbImage img = decodeForward(target, width, height, true);
        if (img == null) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED,
                    "could not decode the frame at " + String.format("%.3f", seconds(target)) + " s");
        }
        return img;
    }

    private boolean keyframeBetween(long after, long upTo) {
        int i = Arrays.binarySearch(keyframePts, upTo);
        int last = i >= 0 ? i : -i - 2; // last keyframe <= upTo
        return last >= 0 && keyframePts[last] > after;
    }

    private boolean seekBefore(long target) {
        int ret = av_seek_frame(fmt, streamIndex, target, AVSEEK_FLAG_BACKWARD);
        session.checkAborted();
        if (ret < 0) {
            return false;
        }
        resetDecoder();
        return true;
    }

    /** Reopens the demuxer, which always reads from the first packet; the decoder is kept and flushed. */
    private void restart() {
        avformat_close_input(fmt);
        fmt = null;
        SESSIONS.remove(sessionKey);
        sessionKey = 0;
        openDemuxer();
        findStreamInfo();
        session.checkAborted();
        stream = fmt.streams(streamIndex);
        for (int i = 0; i < fmt.nb_streams(); i++) {
            if (i != streamIndex) {
                fmt.streams(i).discard(AVDISCARD_ALL);
            }
        }
        resetDecoder();
    }

    private void resetDecoder() {
        avcodec_flush_buffers(codec);
        lastDecodedPts = Long.MIN_VALUE;
        decoderDrained = false;
    }

    /**
     * Decodes on until a frame at or after {@code target} comes out. Returns null when the first frame
     * out is already past the target (a bad seek), or when the stream ends without reaching it.
     */
    private RgbImage decodeForward(long target, int width, int height, boolean acceptLater) {
        boolean first = lastDecodedPts == Long.MIN_VALUE;
        RgbImage lastBefore = null;
        while (true) {
            session.checkAborted();
            int ret = avcodec_receive_frame(codec, frame);
            if (ret >= 0) {
                try {
                    long t = frame.best_effort_timestamp();
                    if (t == AV_NOPTS_VALUE) {
                        t = frame.pts() != AV_NOPTS_VALUE ? frame.pts() : frame.pkt_dts();
                    }
                    boolean wasFirst = first;
                    first = false;
                    lastDecodedPts = t;
                    if (t == target || (t > target && (!wasFirst || acceptLater))) {
                        return toRgb(frame, width, height);
                    }
                    if (t > target) {
                        return null;
                    }
                    if (decoderDrained) {
                        // Keep the latest frame while draining: at the very end it is the best we have.
                        lastBefore = toRgb(frame, width, height);
                    }
                } finally {
                    av_frame_unref(frame);
                }
                continue;
            }
            if (ret == AVERROR_EOF) {
                decoderDrained = true;
                return lastBefore;
            }
            if (ret != AVERROR_EAGAIN()) {
                session.checkAborted();
                throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED, "decoding failed (" + error(ret) + ")");
            }
            // The decoder wants input.
            ret = nextVideoPacket();
            if (ret == AVERROR_EOF) {
                decoderDrained = true;
                avcodec_send_packet(codec, null);
                continue;
            }
            try {
                // Frames before the target that nothing else references need not be decoded at all.
                long pts = packet.pts();
                codec.skip_frame(pts != AV_NOPTS_VALUE && pts < target ? AVDISCARD_NONREF : AVDISCARD_DEFAULT);
                int sent = avcodec_send_packet(codec, packet);
                session.checkAborted();
                if (sent < 0 && sent != AVERROR_EAGAIN()) {
                    // A damaged packet: FFmpeg conceals what it can; keep going, the target may still come.
                    continue;
                }
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    private int nextVideoPacket() {
        while (true) {
            int ret = av_read_frame(fmt, packet);
            session.checkAborted();
            if (ret < 0) {
                return AVERROR_EOF;
            }
            if (packet.stream_index() == streamIndex) {
                return 0;
            }
            av_packet_unref(packet);
        }
    }

    /** Converts (and scales, if asked) with swscale, then turns the picture upright. */
    private RgbImage toRgb(AVFrame f, int width, int height) {
        int fw = f.width();
        int fh = f.height();
        checkDimensions(fw, fh, "the decoder produced");
        int rot = probe.rotation();
        // Scale to the pre-rotation size so that rotating gives width x height.
        int sw = rot % 180 == 0 ? width : height;
        int sh = rot % 180 == 0 ? height : width;
        sws = sws_getCachedContext(sws, fw, fh, f.format(), sw, sh, AV_PIX_FMT_RGB24, swsFlags, null, null,
                (DoublePointer) null);
        if (sws == null || sws.isNull()) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED,
                    "cannot convert frames of pixel format " + f.format() + " to RGB");
        }
        // swscale's SIMD paths assume 64-byte aligned rows; with a tight stride the tail pixels of a
        // row take a different path (seen: full-range YUV converted as limited range), so convert into
        // aligned rows and copy them out.
        int stride = (3 * sw + 63) & ~63;
        long bytes = (long) stride * sh;
        if (rgbBuffer == null || rgbBuffer.capacity() < bytes) {
            freeRgbBuffer();
            Pointer p = av_malloc(bytes + 64);
            if (p == null || p.isNull()) {
                throw new OutOfMemoryError("av_malloc " + bytes);
            }
            rgbBuffer = new BytePointer(p).capacity(bytes + 64);
        }
        try (PointerPointer<BytePointer> dst = new PointerPointer<>(4);
             IntPointer dstStride = new IntPointer(4)) {
            dst.put(0, rgbBuffer);
            dstStride.put(0, stride);
            sws_scale(sws, f.data(), f.linesize(), 0, fh, dst, dstStride);
        }
        byte[] rgb = new byte[3 * sw * sh];
        for (int y = 0; y < sh; y++) {
            rgbBuffer.position((long) y * stride).get(rgb, y * 3 * sw, 3 * sw);
        }
        rgbBuffer.position(0);
        return Rotation.rotate(new RgbImage(sw, sh, rgb), rot);
    }

    private void freeRgbBuffer() {
        if (rgbBuffer != null) {
            av_free(rgbBuffer.position(0));
            rgbBuffer = null;
        }
    }

    private static String error(int code) {
        byte[] buf = new byte[128];
        av_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (codec != null) {
            avcodec_free_context(codec);
            codec = null;
        }
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        freeRgbBuffer();
        if (fmt != null) {
            avformat_close_input(fmt);
            fmt = null;
        }
        if (sessionKey != 0) {
            SESSIONS.remove(sessionKey);
            sessionKey = 0;
        }
    }
}

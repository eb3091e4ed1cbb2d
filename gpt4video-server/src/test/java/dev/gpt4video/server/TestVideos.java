package dev.gpt4video.server;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small test videos written with FFmpeg (MPEG-4 Part 2 in MP4: the LGPL build can encode it). */
final class TestVideos {
    private TestVideos() {
    }

    /** A {@code frames}-frame clip whose colour changes every frame. */
    static Path colourClip(Path dir, int width, int height, int frames) throws Exception {
        Files.createDirectories(dir);
        Path out = Files.createTempFile(dir, "clip-", ".mp4");
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), width, height, 0)) {
            rec.setFormat("mp4");
            rec.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            rec.setFrameRate(8);
            rec.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P);
            rec.setVideoQuality(2);
            rec.start();
            for (int f = 0; f < frames; f++) {
                Frame frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3);
                ByteBuffer buf = (ByteBuffer) frame.image[0];
                int stride = frame.imageStride;
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int o = y * stride + x * 3;
                        buf.put(o, (byte) (f * 30)).put(o + 1, (byte) (x * 4)).put(o + 2, (byte) (y * 4));
                    }
                }
                rec.record(frame, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24);
            }
            rec.stop();
        }
        return out;
    }
}

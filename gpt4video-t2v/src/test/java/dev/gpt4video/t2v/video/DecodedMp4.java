package dev.gpt4video.t2v.video;

import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An MP4 decoded back by FFmpeg (JavaCV), independently of the code under test: stream facts, the
 * top-level box order, and every frame converted to RGB with the BT.709 limited-range inverse (what
 * a browser does with the stream's colour tags). JavaCV's own RGB conversion assumes BT.601 for
 * every stream, so frames are grabbed as yuv420p and converted here.
 */
record DecodedMp4(String codec, String pixelFormat, int width, int height, double fps, int colorSpace,
                  int colorRange, List<byte[]> rgb, List<String> topLevelBoxes) {

    static DecodedMp4 decode(Path mp4) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mp4.toFile())) {
            grabber.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            grabber.start();
            AVCodecParameters stream = grabber.getFormatContext().streams(grabber.getVideoStream()).codecpar();
            String pixelFormat = avutil.av_get_pix_fmt_name(stream.format()).getString();
            Frame frame;
            while ((frame = grabber.grabImage()) != null) {
                frames.add(toRgb(frame));
            }
            return new DecodedMp4(grabber.getVideoCodecName(), pixelFormat, grabber.getImageWidth(),
                    grabber.getImageHeight(), grabber.getFrameRate(), stream.color_space(), stream.color_range(),
                    frames, boxes(mp4));
        }
    }

    int count() {
        return rgb.size();
    }

    /** Mean of one channel over {@code [x0,x1) x [y0,y1)} of a frame. */
    double mean(int frame, int channel, int x0, int y0, int x1, int y1) {
        byte[] f = rgb.get(frame);
        double sum = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                sum += f[(y * width + x) * 3 + channel] & 0xff;
            }
        }
        return sum / ((double) (x1 - x0) * (y1 - y0));
    }

    /**
     * JavaCV hands yuv420p frames as one buffer: Y (stride x height), then U and V at half size;
     * the buffer's limit covers only Y, its capacity all three planes.
     */
    private static byte[] toRgb(Frame frame) {
        ByteBuffer buf = ((ByteBuffer) frame.image[0]).duplicate();
        buf.limit(buf.capacity());
        int w = frame.imageWidth;
        int h = frame.imageHeight;
        int stride = frame.imageStride;
        int uBase = stride * h;
        int vBase = uBase + (stride / 2) * (h / 2);
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double luma = ((buf.get(y * stride + x) & 0xff) - 16) / 219.0;
                int c = (y / 2) * (stride / 2) + x / 2;
                double cb = ((buf.get(uBase + c) & 0xff) - 128) / 224.0;
                double cr = ((buf.get(vBase + c) & 0xff) - 128) / 224.0;
                // BT.709: Kr = 0.2126, Kb = 0.0722.
                double r = luma + 1.5748 * cr;
                double g = luma - 0.1873 * cb - 0.4681 * cr;
                double b = luma + 1.8556 * cb;
                int p = (y * w + x) * 3;
                rgb[p] = clamp(r);
                rgb[p + 1] = clamp(g);
                rgb[p + 2] = clamp(b);
            }
        }
        return rgb;
    }

    private static byte clamp(double v) {
        return (byte) Math.max(0, Math.min(255, Math.round(v * 255)));
    }

    /** Types of the top-level boxes, read with a plain loop over size/type headers. */
    static List<String> boxes(Path mp4) throws IOException {
        List<String> types = new ArrayList<>();
        long remaining = Files.size(mp4);
        try (InputStream raw = Files.newInputStream(mp4); DataInputStream in = new DataInputStream(raw)) {
            while (remaining >= 8) {
                long size = Integer.toUnsignedLong(in.readInt());
                byte[] type = in.readNBytes(4);
                long header = 8;
                if (size == 1) {
                    size = in.readLong();
                    header = 16;
                } else if (size == 0) {
                    size = remaining;
                }
                types.add(new String(type, StandardCharsets.ISO_8859_1));
                in.skipNBytes(size - header);
                remaining -= size;
            }
        }
        return types;
    }
}

package dev.gpt4video.abstractor.preprocess;

import dev.gpt4video.abstractor.decode.RgbImage;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

/**
 * RGB to RGB resize with FFmpeg's libswscale, the resampler decord uses (through FFmpeg's
 * {@code scale} filter) when mPLUG-Owl asks for 224x224 frames.
 */
public final class SwscaleResize {
    private SwscaleResize() {
    }

    /** The picture resized to exactly {@code width x height} with the given {@code SWS_*} filter flag. */
    public static RgbImage resize(RgbImage in, int width, int height, int swsFlags) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("size must be positive, got " + width + "x" + height);
        }
        int sw = in.width();
        int sh = in.height();
        // 64-byte aligned rows: swscale's SIMD paths handle row tails differently with tight strides.
        int srcStride = (3 * sw + 63) & ~63;
        int dstStride = (3 * width + 63) & ~63;
        SwsContext ctx = sws_getContext(sw, sh, AV_PIX_FMT_RGB24, width, height, AV_PIX_FMT_RGB24, swsFlags, null,
                null, (DoublePointer) null);
        if (ctx == null || ctx.isNull()) {
            throw new IllegalStateException("sws_getContext failed for " + sw + "x" + sh + " -> " + width + "x" + height);
        }
        Pointer srcMem = av_malloc((long) srcStride * sh + 64);
        Pointer dstMem = av_malloc((long) dstStride * height + 64);
        try (PointerPointer<BytePointer> src = new PointerPointer<>(4);
             PointerPointer<BytePointer> dst = new PointerPointer<>(4);
             IntPointer srcStrides = new IntPointer(4);
             IntPointer dstStrides = new IntPointer(4)) {
            if (srcMem == null || srcMem.isNull() || dstMem == null || dstMem.isNull()) {
                throw new OutOfMemoryError("av_malloc");
            }
            BytePointer s = new BytePointer(srcMem).capacity((long) srcStride * sh + 64);
            BytePointer d = new BytePointer(dstMem).capacity((long) dstStride * height + 64);
            byte[] px = in.pixels();
            // Rows are padded with copies of their last pixel: swscale's horizontal filter reads a few
            // pixels past the right edge for some widths, and zero padding would darken the last column.
            byte[] row = new byte[srcStride];
            for (int y = 0; y < sh; y++) {
                System.arraycopy(px, y * 3 * sw, row, 0, 3 * sw);
                for (int x = 3 * sw; x + 2 < srcStride; x += 3) {
                    row[x] = row[3 * sw - 3];
                    row[x + 1] = row[3 * sw - 2];
                    row[x + 2] = row[3 * sw - 1];
                }
                s.position((long) y * srcStride).put(row, 0, srcStride);
            }
            s.position(0);
            src.put(0, s);
            dst.put(0, d);
            srcStrides.put(0, srcStride);
            dstStrides.put(0, dstStride);
            sws_scale(ctx, src, srcStrides, 0, sh, dst, dstStrides);
            byte[] out = new byte[3 * width * height];
            for (int y = 0; y < height; y++) {
                d.position((long) y * dstStride).get(out, y * 3 * width, 3 * width);
            }
            return new RgbImage(width, height, out);
        } finally {
            sws_freeContext(ctx);
            if (srcMem != null) {
                av_free(srcMem);
            }
            if (dstMem != null) {
                av_free(dstMem);
            }
        }
    }
}

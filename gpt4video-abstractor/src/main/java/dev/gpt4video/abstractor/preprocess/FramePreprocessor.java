package dev.gpt4video.abstractor.preprocess;

import dev.gpt4video.abstractor.decode.DecodedFrames;
import dev.gpt4video.abstractor.decode.RgbImage;
import dev.gpt4video.abstractor.decode.VideoDecoder;

import java.util.List;
import java.util.Objects;

/**
 * Turns RGB frames into the normalised float32 tensor the CLIP / mPLUG-Owl vision tower takes.
 *
 * <ul>
 *   <li>{@link Mode#MPLUG_OWL_VIDEO}: each frame resized straight to {@code size x size} (aspect ratio
 *       not kept, nothing cropped) with FFmpeg's swscale, as decord's {@code VideoReader(path,
 *       width=224, height=224)} does in mPLUG-Owl's {@code load_video}. The CLIP processor that follows
 *       in the reference is a no-op on a square frame of the target size. Frames already at that size
 *       (the output of {@link VideoDecoder#sample(java.nio.file.Path, int, int, int)}, which resizes
 *       inside the decoder exactly like decord) pass through untouched.</li>
 *   <li>{@link Mode#HF_CLIP}: shortest edge to {@code size} with Pillow's bicubic (antialiased when
 *       shrinking), the long edge to {@code int(size * long / short)}, then a centre crop of
 *       {@code size x size}: Hugging Face's {@code CLIPImageProcessor} (and openai/CLIP's
 *       {@code _transform}, which differs only in how it rounds the crop offset: {@link CropRounding}).</li>
 * </ul>
 *
 * <p>Then, per channel and in float32 in exactly this order, {@code (u8 / 255 - mean) / std} with the
 * CLIP mean and std (each step rounded to float32, as torchvision's {@code ToTensor} + {@code Normalize}).
 *
 * <pre>{@code
 * DecodedFrames frames = decoder.sample(path, 4, 224, 224);
 * PixelValues video = FramePreprocessor.mplugOwlVideo().video(frames); // [1,3,4,224,224]
 * }</pre>
 *
 * @param mode         how frames are resized
 * @param size         output height and width (224 for the released models; 32 for the tiny fixture)
 * @param cropRounding how {@link Mode#HF_CLIP} rounds the crop offset (ignored by MPLUG_OWL_VIDEO)
 * @param scaler       the swscale filter of {@link Mode#MPLUG_OWL_VIDEO} (ignored by HF_CLIP)
 */
public record FramePreprocessor(Mode mode, int size, CropRounding cropRounding, VideoDecoder.Scaler scaler) {

    /** CLIP's per-channel mean (R, G, B) of {@code u8/255}. */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** CLIP's per-channel standard deviation (R, G, B). */
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    public enum Mode {
        MPLUG_OWL_VIDEO,
        HF_CLIP
    }

    /** How the centre-crop offset {@code (resized - size) / 2} is rounded. */
    public enum CropRounding {
        /** Hugging Face {@code image_transforms.center_crop}: {@code (h - size) // 2}. */
        FLOOR,
        /** openai/CLIP and torchvision {@code CenterCrop}: Python {@code round()}, halves to even. */
        HALF_EVEN
    }

    public FramePreprocessor {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(cropRounding, "cropRounding");
        Objects.requireNonNull(scaler, "scaler");
        if (size < 1 || size > 8192) {
            throw new IllegalArgumentException("size must be in 1..8192, got " + size);
        }
    }

    /** mPLUG-Owl video frames at 224: swscale bicubic straight to 224x224. */
    public static FramePreprocessor mplugOwlVideo() {
        return new FramePreprocessor(Mode.MPLUG_OWL_VIDEO, 224, CropRounding.FLOOR, VideoDecoder.Scaler.BICUBIC);
    }

    /** Hugging Face CLIPImageProcessor at 224 (the mPLUG-Owl image path). */
    public static FramePreprocessor hfClip() {
        return new FramePreprocessor(Mode.HF_CLIP, 224, CropRounding.FLOOR, VideoDecoder.Scaler.BICUBIC);
    }

    public FramePreprocessor withSize(int s) {
        return new FramePreprocessor(mode, s, cropRounding, scaler);
    }

    public FramePreprocessor withCropRounding(CropRounding r) {
        return new FramePreprocessor(mode, size, r, scaler);
    }

    public FramePreprocessor withScaler(VideoDecoder.Scaler s) {
        return new FramePreprocessor(mode, size, cropRounding, s);
    }

    /** The 8-bit {@code size x size} picture the model sees, before normalisation. */
    public RgbImage prepare(RgbImage image) {
        return switch (mode) {
            case MPLUG_OWL_VIDEO -> image.width() == size && image.height() == size ? image
                    : SwscaleResize.resize(image, size, size, scaler.swsFlags());
            case HF_CLIP -> centerCrop(resizeShortestEdge(image));
        };
    }

    /** Pillow-bicubic resize so the shorter side is {@code size}; unchanged when it already is. */
    public RgbImage resizeShortestEdge(RgbImage image) {
        int w = image.width();
        int h = image.height();
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        // Python: int(size * long / short), a true division then truncation.
        int newLong = (int) ((double) size * longSide / shortSide);
        int nw = w <= h ? size : newLong;
        int nh = w <= h ? newLong : size;
        if (nw == w && nh == h) {
            return image;
        }
        return PillowResize.bicubic(image, nw, nh);
    }

    /** Top and left of the {@code size x size} centre crop of a {@code w x h} picture. */
    public int[] cropOffsets(int w, int h) {
        return new int[] {offset(h), offset(w)};
    }

    private int offset(int extent) {
        return switch (cropRounding) {
            case FLOOR -> Math.floorDiv(extent - size, 2);
            case HALF_EVEN -> (int) Math.rint((extent - size) / 2.0);
        };
    }

    private RgbImage centerCrop(RgbImage image) {
        int w = image.width();
        int h = image.height();
        if (w == size && h == size) {
            return image;
        }
        if (w < size || h < size) {
            throw new IllegalArgumentException("cannot crop " + size + "x" + size + " from " + w + "x" + h);
        }
        int[] tl = cropOffsets(w, h);
        byte[] out = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            System.arraycopy(image.pixels(), ((tl[0] + y) * w + tl[1]) * 3, out, y * size * 3, size * 3);
        }
        return new RgbImage(size, size, out);
    }

    /** One video as {@code [1,3,T,size,size]}. */
    public PixelValues video(DecodedFrames frames) {
        return videos(List.of(frames.frames()));
    }

    /** Videos of the same length as {@code [B,3,T,size,size]} (B, C, T, H, W). */
    public PixelValues videos(List<List<RgbImage>> videos) {
        if (videos.isEmpty()) {
            throw new IllegalArgumentException("no videos");
        }
        int b = videos.size();
        int t = videos.get(0).size();
        if (t == 0) {
            throw new IllegalArgumentException("a video has no frames");
        }
        int plane = size * size;
        float[] out = new float[Math.multiplyExact(Math.multiplyExact(b * 3, t), plane)];
        for (int v = 0; v < b; v++) {
            List<RgbImage> frames = videos.get(v);
            if (frames.size() != t) {
                throw new IllegalArgumentException("videos must have the same number of frames: " + t + " vs "
                        + frames.size());
            }
            for (int f = 0; f < t; f++) {
                // Channel c of frame f of video v starts at ((v*3 + c)*T + f) * H*W.
                normalize(prepare(frames.get(f)), out, (v * 3 * t + f) * plane, t * plane);
            }
        }
        return new PixelValues(out, new long[] {b, 3, t, size, size});
    }

    /** One image as {@code [1,3,size,size]}. */
    public PixelValues image(RgbImage image) {
        return images(List.of(image));
    }

    /** Images as {@code [B,3,size,size]}. */
    public PixelValues images(List<RgbImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images");
        }
        int plane = size * size;
        float[] out = new float[Math.multiplyExact(images.size() * 3, plane)];
        for (int i = 0; i < images.size(); i++) {
            normalize(prepare(images.get(i)), out, i * 3 * plane, plane);
        }
        return new PixelValues(out, new long[] {images.size(), 3, size, size});
    }

    /**
     * Writes {@code (u8/255 - mean[c]) / std[c]} of each pixel, channel c at
     * {@code offset + c * channelStride + y * width + x}.
     */
    public static void normalize(RgbImage image, float[] out, int offset, int channelStride) {
        byte[] px = image.pixels();
        int n = image.width() * image.height();
        for (int c = 0; c < 3; c++) {
            float mean = CLIP_MEAN[c];
            float std = CLIP_STD[c];
            int base = offset + c * channelStride;
            for (int i = 0; i < n; i++) {
                float v = (px[3 * i + c] & 0xFF) / 255f;
                out[base + i] = (v - mean) / std;
            }
        }
    }
}

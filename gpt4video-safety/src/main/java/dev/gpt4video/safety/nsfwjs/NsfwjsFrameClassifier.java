package dev.gpt4video.safety.nsfwjs;

import ai.djl.ndarray.NDManager;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.safety.video.FrameClassifier;
import dev.gpt4video.safety.video.FrameScore;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded default frame classifier: nsfwjs MobileNetV2. Category scores per frame:
 * {@code sexual} = P(Porn) + P(Hentai), {@code sexual/suggestive} = P(Sexy); the five class
 * probabilities are kept as raw output. Also classifies single images (for {@code /v1/moderations}).
 *
 * <pre>{@code
 * try (var nsfw = NsfwjsFrameClassifier.load(Path.of("models/nsfwjs"))) {
 *     Map<String, Double> p = nsfw.classifyImage(pngBytes); // {"Drawing":..., "Neutral":..., ...}
 * }
 * }</pre>
 */
public final class NsfwjsFrameClassifier implements FrameClassifier {
    public static final String SEXUAL = "sexual";
    public static final String SUGGESTIVE = "sexual/suggestive";

    private final NDManager manager;
    private final NsfwjsModel model;

    private NsfwjsFrameClassifier(NDManager manager, NsfwjsModel model) {
        this.manager = manager;
        this.model = model;
    }

    /** Loads the converted model (or a tfjs model.json + shard) from {@code dir} under its own base manager. */
    public static NsfwjsFrameClassifier load(Path dir) {
        return load(dir, NDManager.newBaseManager());
    }

    /**
     * Loads under {@code manager} (e.g. {@code InferenceRuntime.newModelManager("nsfwjs")}); closing
     * the classifier closes that manager. Thread-safe: each call works in its own sub-manager.
     */
    public static NsfwjsFrameClassifier load(Path dir, NDManager manager) {
        try {
            return new NsfwjsFrameClassifier(manager, NsfwjsModel.load(dir, manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "nsfwjs-mobilenet-v2";
    }

    public NsfwjsModel model() {
        return model;
    }

    /** The five probabilities in class-index order for one PNG/JPEG image. */
    public float[] probabilities(byte[] imageBytes) {
        BufferedImage img = NsfwjsPreprocessor.decode(imageBytes);
        byte[] rgb = NsfwjsPreprocessor.rgb(img);
        int s = model.config().inputSize();
        return model.predict(NsfwjsPreprocessor.toInput(rgb, img.getWidth(), img.getHeight(), s), 1)[0];
    }

    /** Class name to probability, in class-index order, for one PNG/JPEG image. */
    public Map<String, Double> classifyImage(byte[] imageBytes) {
        return named(probabilities(imageBytes));
    }

    /** Category scores for one PNG/JPEG image, as for a video frame. */
    public FrameScore scoreImage(byte[] imageBytes) {
        return score(probabilities(imageBytes));
    }

    @Override
    public List<FrameScore> scoreFrames(Frames frames) {
        int s = model.config().inputSize();
        int per = s * s * 3;
        float[] batch = new float[frames.count() * per];
        for (int i = 0; i < frames.count(); i++) {
            float[] x = NsfwjsPreprocessor.toInput(frames.rgb().get(i), frames.width(), frames.height(), s);
            System.arraycopy(x, 0, batch, i * per, per);
        }
        List<FrameScore> out = new ArrayList<>();
        for (float[] p : model.predict(batch, frames.count())) {
            out.add(score(p));
        }
        return out;
    }

    private Map<String, Double> named(float[] p) {
        Map<String, Double> m = new LinkedHashMap<>();
        List<String> classes = model.config().classes();
        for (int i = 0; i < p.length; i++) {
            m.put(classes.get(i), (double) p[i]);
        }
        return m;
    }

    private FrameScore score(float[] p) {
        NsfwjsConfig c = model.config();
        double sexual = p[c.indexOf("Porn")] + p[c.indexOf("Hentai")];
        double suggestive = p[c.indexOf("Sexy")];
        return new FrameScore(Map.of(SEXUAL, Math.min(1, sexual), SUGGESTIVE, suggestive),
                Map.of("probabilities", named(p)));
    }

    @Override
    public void close() {
        model.close();
        manager.close();
    }
}

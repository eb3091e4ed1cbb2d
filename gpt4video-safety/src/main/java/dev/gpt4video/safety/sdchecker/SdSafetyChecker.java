package dev.gpt4video.safety.sdchecker;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.safety.video.FrameClassifier;
import dev.gpt4video.safety.video.FrameScore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Stable Diffusion safety checker ({@code CompVis/stable-diffusion-safety-checker}, diffusers'
 * {@code StableDiffusionSafetyChecker}) as a frame classifier: CLIP ViT-L/14 pooled output ->
 * {@code visual_projection} -> cosine similarity with 3 "special care" and 17 concept embeddings;
 * {@code special = round(cos - special_weight + adjustment, 3)}, and once a special score is > 0
 * the adjustment becomes 0.01 (for the remaining special and all concept scores);
 * {@code concept = round(cos - concept_weight + adjustment, 3)}; a frame is NSFW iff any concept
 * score is > 0. The frame's {@code sexual} score is 1 when NSFW, else 0, so the video rule
 * "k of n frames" is the reference's "unsafe iff at least 5 of 10 frames are flagged".
 * Rounding follows numpy 1.x: the difference is taken in float64 and rounded with
 * {@code rint(x * 1000) / 1000}.
 */
public final class SdSafetyChecker implements FrameClassifier {
    // Checkpoint names (diffusers StableDiffusionSafetyChecker state dict).
    static final String TOWER_PREFIX = "vision_model.vision_model.";
    static final String PROJECTION = "visual_projection.weight";
    static final String CONCEPTS = "concept_embeds";
    static final String SPECIAL = "special_care_embeds";
    static final String CONCEPT_WEIGHTS = "concept_embeds_weights";
    static final String SPECIAL_WEIGHTS = "special_care_embeds_weights";
    static final int CONCEPT_COUNT = 17;
    static final int SPECIAL_COUNT = 3;
    static final double SPECIAL_CARE_ADJUSTMENT = 0.01;

    /** Per-image outcome with the diffusers fields. */
    public record Result(double[] specialScores, double[] conceptScores, List<Integer> badConcepts, boolean nsfw) {
    }

    private final ClipPooledEncoder tower;
    private final ClipImagePreprocessor preprocessor;
    private final float[][] projection;
    private final float[][] concepts;
    private final float[][] special;
    private final float[] conceptWeights;
    private final float[] specialWeights;
    private final double initialAdjustment;

    /**
     * @param initialAdjustment diffusers' starting {@code adjustment} (0.0; raise it for a stricter filter)
     */
    public SdSafetyChecker(ClipPooledEncoder tower, ClipImagePreprocessor preprocessor, float[][] projection,
                           float[][] concepts, float[][] special, float[] conceptWeights, float[] specialWeights,
                           double initialAdjustment) {
        this.tower = tower;
        this.preprocessor = preprocessor;
        this.projection = projection;
        this.concepts = concepts;
        this.special = special;
        this.conceptWeights = conceptWeights;
        this.specialWeights = specialWeights;
        this.initialAdjustment = initialAdjustment;
    }

    /**
     * Loads {@code dir/config.json} (a CLIPConfig) and {@code dir/model.safetensors} strictly with
     * the self-contained tower ({@code vision_model.vision_model.position_ids} may be present).
     */
    public static SdSafetyChecker load(Path dir) {
        ClipVisionSettings s = Files.isRegularFile(dir.resolve("config.json"))
                ? ClipVisionSettings.read(dir.resolve("config.json")) : ClipVisionSettings.vitLarge14();
        NDManager manager = NDManager.newBaseManager();
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            WeightLoader w = new WeightLoader(ckpt, manager, DataType.FLOAT32, WeightLoader.Mode.STRICT);
            MinimalClipVisionTower tower = new MinimalClipVisionTower(s, w.scope(TOWER_PREFIX));
            int p = s.projectionDim();
            SdSafetyChecker checker = new SdSafetyChecker(tower,
                    new ClipImagePreprocessor(s.imageSize(), ClipImagePreprocessor.Crop.HF_FLOOR),
                    rows(w.floats(PROJECTION, p, s.hiddenSize()), p),
                    rows(w.floats(CONCEPTS, CONCEPT_COUNT, p), CONCEPT_COUNT),
                    rows(w.floats(SPECIAL, SPECIAL_COUNT, p), SPECIAL_COUNT),
                    w.floats(CONCEPT_WEIGHTS, CONCEPT_COUNT), w.floats(SPECIAL_WEIGHTS, SPECIAL_COUNT), 0.0);
            w.finish();
            return checker;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static float[][] rows(float[] flat, int n) {
        int d = flat.length / n;
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    @Override
    public String name() {
        return "sd-safety-checker";
    }

    /** The diffusers outcome for each frame. */
    public List<Result> check(Frames frames) {
        int size = tower.settings().imageSize();
        int per = 3 * size * size;
        float[] batch = new float[frames.count() * per];
        for (int i = 0; i < frames.count(); i++) {
            float[] px = preprocessor.pixelValues(frames.rgb().get(i), frames.width(), frames.height());
            System.arraycopy(px, 0, batch, i * per, per);
        }
        return check(batch, frames.count());
    }

    /** The diffusers outcome for already preprocessed NCHW pixel values. */
    public List<Result> check(float[] pixelValues, int n) {
        float[][] pooled = tower.pooledOutput(pixelValues, n);
        List<Result> out = new ArrayList<>(n);
        for (float[] p : pooled) {
            float[] embeds = project(p);
            double[] specialScores = new double[special.length];
            double[] conceptScores = new double[concepts.length];
            double adjustment = initialAdjustment;
            for (int c = 0; c < special.length; c++) {
                specialScores[c] = round3(cosine(embeds, special[c]) - (double) specialWeights[c] + adjustment);
                if (specialScores[c] > 0) {
                    adjustment = SPECIAL_CARE_ADJUSTMENT;
                }
            }
            List<Integer> bad = new ArrayList<>();
            for (int c = 0; c < concepts.length; c++) {
                conceptScores[c] = round3(cosine(embeds, concepts[c]) - (double) conceptWeights[c] + adjustment);
                if (conceptScores[c] > 0) {
                    bad.add(c);
                }
            }
            out.add(new Result(specialScores, conceptScores, List.copyOf(bad), !bad.isEmpty()));
        }
        return out;
    }

    @Override
    public List<FrameScore> scoreFrames(Frames frames) {
        List<FrameScore> out = new ArrayList<>();
        for (Result r : check(frames)) {
            Map<String, Object> raw = new LinkedHashMap<>();
            raw.put("nsfw", r.nsfw());
            raw.put("bad_concepts", r.badConcepts());
            raw.put("concept_scores", r.conceptScores());
            raw.put("special_scores", r.specialScores());
            out.add(new FrameScore(Map.of("sexual", r.nsfw() ? 1.0 : 0.0), raw));
        }
        return out;
    }

    private float[] project(float[] pooled) {
        float[] e = new float[projection.length];
        for (int o = 0; o < projection.length; o++) {
            float s = 0;
            for (int i = 0; i < pooled.length; i++) {
                s += projection[o][i] * pooled[i];
            }
            e[o] = s;
        }
        return e;
    }

    /** torch F.normalize (eps 1e-12) on both sides, then the dot product, in float32. */
    private static float cosine(float[] a, float[] b) {
        float na = 0;
        float nb = 0;
        float dot = 0;
        for (int i = 0; i < a.length; i++) {
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        float da = (float) Math.max(Math.sqrt(na), 1e-12);
        float db = (float) Math.max(Math.sqrt(nb), 1e-12);
        for (int i = 0; i < a.length; i++) {
            dot += (a[i] / da) * (b[i] / db);
        }
        return dot;
    }

    private static double round3(double x) {
        return Math.rint(x * 1000) / 1000;
    }

    @Override
    public void close() {
        tower.close();
    }
}

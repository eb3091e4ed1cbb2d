package dev.gpt4video.abstractor;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.abstractor.clip.ClipVisionConfig;
import dev.gpt4video.abstractor.clip.ClipVisionModel;
import dev.gpt4video.abstractor.clip.ClipVisionWeights;
import dev.gpt4video.abstractor.mplugowl.MplugOwlConfig;
import dev.gpt4video.abstractor.mplugowl.MplugOwlVisionModel;
import dev.gpt4video.abstractor.mplugowl.MplugOwlVisualAbstractor;
import dev.gpt4video.abstractor.mplugowl.MplugOwlWeights;
import dev.gpt4video.abstractor.nn.Scoped;
import dev.gpt4video.abstractor.paper.PaperAbstractor;
import dev.gpt4video.abstractor.paper.PaperAbstractorConfig;
import dev.gpt4video.abstractor.paper.PaperAbstractorWeights;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.CheckpointException;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.video.VideoEncoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The visual half of GPT4Video as one {@link VideoEncoder}: a vision tower chosen by the
 * checkpoint's tensor names (mPLUG-Owl's video ViT or a Hugging Face CLIP ViT) followed by the
 * abstractor the {@link AbstractorMode} names. Loading is strict: every tensor the checkpoint holds
 * must be used, except those of other components ({@code language_model.*}, the other
 * abstractor mode's tensors, a {@code CLIPModel}'s text half).
 *
 * <pre>{@code
 * try (VisualPipeline vision = VisualPipeline.load(dir, AbstractorMode.MPLUG_OWL_VIDEO, runtime);
 *      NDManager request = runtime.newRequestManager()) {
 *     NDArray tokens = vision.encode(request.create(pixels, new Shape(1, 3, 4, 224, 224))); // [1, 65, 4096]
 * }
 * }</pre>
 */
public final class VisualPipeline implements VideoEncoder {

    /** The vision tower families a checkpoint can hold, told apart by their tensor names. */
    public enum TowerKind {
        MPLUG_OWL_VIDEO(MplugOwlWeights.VISION + MplugOwlWeights.CLS_TOKEN,
                MplugOwlWeights.VISION + MplugOwlWeights.PATCH_EMBED + ".weight",
                MplugOwlWeights.VISION + MplugOwlWeights.POSITION_EMBEDDING),
        CLIP(ClipVisionWeights.VISION + ClipVisionWeights.CLASS_EMBEDDING,
                ClipVisionWeights.VISION + ClipVisionWeights.PATCH_EMBEDDING + ".weight",
                ClipVisionWeights.VISION + ClipVisionWeights.POSITION_EMBEDDING + ".weight");

        /** Names only this family uses; any one of them identifies it (so a missing tensor is reported as missing). */
        private final List<String> markers;

        TowerKind(String... markers) {
            this.markers = List.of(markers);
        }

        /** Detects the tower from the checkpoint's names. */
        public static TowerKind detect(Checkpoint ckpt) {
            for (TowerKind k : values()) {
                if (k.markers.stream().anyMatch(ckpt::contains)) {
                    return k;
                }
            }
            throw CheckpointException.invalid(ckpt.source(), null, "holds no vision tower: expected "
                    + MPLUG_OWL_VIDEO.markers + " (mPLUG-Owl) or " + CLIP.markers + " (Hugging Face CLIP)");
        }
    }

    private static final String OTHER_COMPONENTS = "language_model\\..*";
    private static final String MPLUG_ABSTRACTOR = Pattern.quote(MplugOwlWeights.QUERY_TOKENS) + "|"
            + Pattern.quote(MplugOwlWeights.TEMPORAL_QUERY_TOKENS) + "|" + Pattern.quote(MplugOwlWeights.ABSTRACTOR) + ".*";
    private static final String PAPER_ABSTRACTOR = Pattern.quote(PaperAbstractorWeights.PREFIX) + ".*";
    private static final String CLIP_TEXT_HALF = "text_model\\..*|text_projection\\.weight|logit_scale";

    private final NDManager manager;
    private final TowerKind towerKind;
    private final AbstractorMode mode;
    private final VisionTower tower;
    private final VisualAbstractor abstractor;
    private final DataType dataType;
    private final String description;

    private VisualPipeline(NDManager manager, TowerKind towerKind, AbstractorMode mode, VisionTower tower,
                           VisualAbstractor abstractor, DataType dataType, String description) {
        this.manager = manager;
        this.towerKind = towerKind;
        this.mode = mode;
        this.tower = tower;
        this.abstractor = abstractor;
        this.dataType = dataType;
        this.description = description;
    }

    /** Loads onto the runtime's device in its dtype, in a model manager of its own. */
    public static VisualPipeline load(Path dir, AbstractorMode mode, InferenceRuntime runtime) {
        return load(dir, mode, runtime.newModelManager("vision"), runtime.dataType());
    }

    /**
     * Loads {@code dir} ({@code config.json} plus safetensors) into {@code manager}, which the
     * pipeline then owns and closes. {@code dataType} is the compute type: float32 on CPU, float16 on GPU.
     */
    public static VisualPipeline load(Path dir, AbstractorMode mode, NDManager manager, DataType dataType) {
        Path configJson = dir.resolve("config.json");
        if (!Files.isRegularFile(configJson)) {
            manager.close();
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, dir + ": no config.json");
        }
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            WeightLoader w = new WeightLoader(ckpt, manager, dataType, WeightLoader.Mode.STRICT).ignore(OTHER_COMPONENTS);
            TowerKind kind = TowerKind.detect(ckpt);
            VisionTower tower;
            VisualAbstractor abstractor;
            if (kind == TowerKind.MPLUG_OWL_VIDEO) {
                MplugOwlConfig config = MplugOwlConfig.read(configJson);
                tower = MplugOwlVisionModel.load(w, config.visionConfig());
                if (mode == AbstractorMode.MPLUG_OWL_VIDEO) {
                    w.ignore(PAPER_ABSTRACTOR);
                    abstractor = MplugOwlVisualAbstractor.load(w, config);
                } else {
                    w.ignore(MPLUG_ABSTRACTOR);
                    abstractor = loadPaper(w, configJson);
                }
            } else {
                if (mode == AbstractorMode.MPLUG_OWL_VIDEO) {
                    throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, dir + ": abstractor mode mplug-owl-video needs an"
                            + " mPLUG-Owl checkpoint (query_tokens, abstractor.*), but this one holds a CLIP vision tower;"
                            + " use abstractor mode 'paper' with paper_abstractor.* tensors");
                }
                ClipVisionConfig config = ClipVisionConfig.read(configJson);
                if (config.architectures().contains("CLIPModel")) {
                    w.ignore(CLIP_TEXT_HALF);
                }
                tower = ClipVisionModel.load(w, config);
                abstractor = loadPaper(w, configJson);
            }
            if (abstractor.inputSize() != tower.hiddenSize()) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, dir + ": the abstractor reads width "
                        + abstractor.inputSize() + " but the vision tower produces " + tower.hiddenSize());
            }
            w.finish();
            String description = kind.name().toLowerCase(Locale.ROOT) + "+" + mode.settingName() + " " + dataType + " "
                    + dir.toAbsolutePath().normalize() + " " + identity(configJson) + " " + identity(ckpt.source());
            return new VisualPipeline(manager, kind, mode, tower, abstractor, dataType, description);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Size and modification time, so a checkpoint replaced in place gets a new fingerprint. */
    private static String identity(Path file) {
        try {
            return Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static PaperAbstractor loadPaper(WeightLoader w, Path configJson) {
        PaperAbstractorConfig config = HfConfigReader.read(configJson, "paper_abstractor_config", PaperAbstractorConfig.class);
        return PaperAbstractor.load(w, config);
    }

    /**
     * Encodes {@code [B,3,T,H,W]} videos or {@code [B,3,H,W]} images into
     * {@code [B, tokensPerVideo(), hiddenSize()]} in the compute dtype.
     */
    @Override
    public NDArray encode(NDArray pixels) {
        Shape s = pixels.getShape();
        int size = tower.imageSize();
        if ((s.dimension() != 5 && s.dimension() != 4) || s.get(1) != 3 || s.get(s.dimension() - 1) != size
                || s.get(s.dimension() - 2) != size) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "pixels must be [B,3,T," + size + "," + size
                    + "] or [B,3," + size + "," + size + "], got " + s);
        }
        return Scoped.apply(pixels, x -> abstractor.apply(tower.frameFeatures(x)));
    }

    public TowerKind towerKind() {
        return towerKind;
    }

    public AbstractorMode mode() {
        return mode;
    }

    /** The tower ({@link MplugOwlVisionModel} or {@link ClipVisionModel}) for callers that want its own outputs. */
    public VisionTower tower() {
        return tower;
    }

    public VisualAbstractor abstractor() {
        return abstractor;
    }

    public DataType dataType() {
        return dataType;
    }

    /**
     * Everything besides the pixels that decides the output (tower, mode, checkpoint, dtype): part
     * of an {@link EmbeddingCache} key, so two pipelines never share cached embeddings.
     */
    public String settingsFingerprint() {
        return description;
    }

    @Override
    public int tokensPerVideo() {
        return abstractor.tokens();
    }

    @Override
    public int hiddenSize() {
        return abstractor.outputSize();
    }

    @Override
    public int imageSize() {
        return tower.imageSize();
    }

    @Override
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "VisualPipeline[" + description + "]";
    }
}

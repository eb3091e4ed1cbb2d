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
    private static final String VISION_TOWERS = "vision_model\\..*|" + Pattern.quote(ClipVisionWeights.VISUAL_PROJECTION) + "\\.weight";

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
        return load(dir, dir, mode, runtime.newModelManager("vision"), runtime.dataType());
    }

    /**
     * Loads {@code dir} ({@code config.json} plus safetensors, holding both the tower and the
     * abstractor, as mPLUG-Owl's checkpoint does) into {@code manager}, which the pipeline then owns
     * and closes. {@code dataType} is the compute type: float32 on CPU, float16 on GPU.
     */
    public static VisualPipeline load(Path dir, AbstractorMode mode, NDManager manager, DataType dataType) {
        return load(dir, dir, mode, manager, dataType);
    }

    /**
     * Loads the tower from {@code visionDir} and the abstractor from {@code abstractorDir} (a bundle's
     * {@code vision} and {@code abstractor} components; the same folder for a real mPLUG-Owl
     * checkpoint). Each folder has a {@code config.json}: the tower's config is read from the vision
     * folder, the abstractor's from the abstractor folder. Each checkpoint is accounted for strictly.
     */
    public static VisualPipeline load(Path visionDir, Path abstractorDir, AbstractorMode mode, NDManager manager,
                                      DataType dataType) {
        boolean shared = visionDir.toAbsolutePath().normalize().equals(abstractorDir.toAbsolutePath().normalize());
        try (Checkpoint visionCkpt = Checkpoint.open(visionDir);
             Checkpoint abstractorCkpt = shared ? null : Checkpoint.open(abstractorDir)) {
            Path visionConfig = configFile(visionDir);
            Path abstractorConfig = configFile(abstractorDir);
            WeightLoader vw = new WeightLoader(visionCkpt, manager, dataType, WeightLoader.Mode.STRICT).ignore(OTHER_COMPONENTS);
            WeightLoader aw = shared ? vw
                    : new WeightLoader(abstractorCkpt, manager, dataType, WeightLoader.Mode.STRICT)
                            .ignore(OTHER_COMPONENTS).ignore(VISION_TOWERS);
            if (!shared) {
                vw.ignore(MPLUG_ABSTRACTOR).ignore(PAPER_ABSTRACTOR);
            }
            // The tensors of the abstractor mode not in use belong to another configuration, not to nobody.
            aw.ignore(mode == AbstractorMode.MPLUG_OWL_VIDEO ? PAPER_ABSTRACTOR : MPLUG_ABSTRACTOR);

            TowerKind kind = TowerKind.detect(visionCkpt);
            if (kind == TowerKind.CLIP && mode == AbstractorMode.MPLUG_OWL_VIDEO) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, visionDir + ": abstractor mode mplug-owl-video"
                        + " needs mPLUG-Owl's video tower (its temporal modules), but this checkpoint holds a CLIP"
                        + " vision tower; use abstractor mode 'paper' with paper_abstractor.* tensors");
            }
            VisionTower tower;
            if (kind == TowerKind.MPLUG_OWL_VIDEO) {
                tower = MplugOwlVisionModel.load(vw, MplugOwlConfig.read(visionConfig).visionConfig());
            } else {
                ClipVisionConfig config = ClipVisionConfig.read(visionConfig);
                if (config.architectures().contains("CLIPModel")) {
                    vw.ignore(ClipVisionWeights.TEXT_HALF);
                }
                tower = ClipVisionModel.load(vw, config);
            }
            VisualAbstractor abstractor = mode == AbstractorMode.MPLUG_OWL_VIDEO
                    ? MplugOwlVisualAbstractor.load(aw, MplugOwlConfig.read(abstractorConfig))
                    : PaperAbstractor.load(aw, HfConfigReader.read(abstractorConfig, "paper_abstractor_config",
                            PaperAbstractorConfig.class));
            if (abstractor.inputSize() != tower.hiddenSize()) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, abstractorConfig + ": the abstractor reads width "
                        + abstractor.inputSize() + " but the vision tower produces " + tower.hiddenSize());
            }
            vw.finish();
            if (!shared) {
                aw.finish();
            }
            String description = kind.name().toLowerCase(Locale.ROOT) + "+" + mode.settingName() + " " + dataType
                    + " " + identity(visionConfig) + " " + identity(visionCkpt.source())
                    + (shared ? "" : " " + identity(abstractorConfig) + " " + identity(abstractorCkpt.source()));
            return new VisualPipeline(manager, kind, mode, tower, abstractor, dataType, description);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Path configFile(Path dir) {
        Path configJson = dir.resolve("config.json");
        if (!Files.isRegularFile(configJson)) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, dir + ": no config.json");
        }
        return configJson;
    }

    /** Size and modification time, so a checkpoint replaced in place gets a new fingerprint. */
    private static String identity(Path file) {
        try {
            return file.toAbsolutePath().normalize() + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
        } catch (java.io.IOException e) {
            return "?";
        }
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

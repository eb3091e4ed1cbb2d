package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.t2v.ProgressListener;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.nn.Weights;
import dev.gpt4video.t2v.scheduler.DdimScheduler;
import dev.gpt4video.t2v.scheduler.SchedulerConfig;
import dev.gpt4video.t2v.text.ClipTextModel;
import dev.gpt4video.t2v.text.ClipTokenizer;
import dev.gpt4video.t2v.zeroscope.AutoencoderKlDecoder;
import dev.gpt4video.t2v.zeroscope.ZeroScopePipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * VideoCrafter1 text-to-video (lvdm {@code LatentDiffusion} + {@code DDIMSampler}) on a converted
 * checkpoint folder: {@code model.safetensors} (the {@code state_dict} of {@code model.ckpt} with its
 * original names, see docs/videocrafter.md), {@code tokenizer/} (OpenCLIP's BPE as transformers
 * files, pad {@code !}) and an optional {@code config.json} ({@link VideoCrafterConfig}).
 *
 * <p>The loop reads like lvdm's sampler: encode the prompt and the empty negative, draw the
 * initial latents, then per DDIM timestep predict the noise for both, combine
 * {@code uncond + g (cond - uncond)} and step with eta (fresh noise each step); decode per frame.
 * All noise (initial and per step) comes from one {@code java.util.Random(seed)} stream in Java,
 * so a seed is reproducible across devices (not torch's {@code randn}).
 *
 * <pre>{@code
 * try (VideoCrafterPipeline p = VideoCrafterPipeline.load(dir, runtime, VideoCrafterOptions.defaults())) {
 *     Frames f = p.generate("a corgi running", "", 512, 320, 16, 50, 12.0, 1.0, 28, 42L, (s, n) -> {}, new Cancellation());
 * }
 * }</pre>
 */
public final class VideoCrafterPipeline implements AutoCloseable {
    static final String CONFIG = "config.json";
    static final String TOKENIZER = "tokenizer";
    /** The released file name, read directly when no safetensors file is present. */
    static final String ORIGINAL_CHECKPOINT = "model.ckpt";
    /** OpenCLIP pads with id 0, which is "!" in CLIP's vocabulary. */
    static final String PAD_TOKEN = "!";

    private final InferenceRuntime runtime;
    private final VideoCrafterOptions options;
    private final VideoCrafterConfig config;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final VideoCrafterUNet unet;
    private final AutoencoderKlDecoder vae;
    private final NDManager modelManager;

    private VideoCrafterPipeline(InferenceRuntime runtime, VideoCrafterOptions options, VideoCrafterConfig config,
                                 ClipTokenizer tokenizer, ClipTextModel textEncoder, VideoCrafterUNet unet,
                                 AutoencoderKlDecoder vae, NDManager modelManager) {
        this.runtime = runtime;
        this.options = options;
        this.config = config;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.modelManager = modelManager;
    }

    /**
     * Loads a converted folder strictly: every tensor the three networks need must be present with
     * its shape, and every tensor in the file must be used or listed in {@link VideoCrafterKeys#ignored}.
     */
    public static VideoCrafterPipeline load(Path dir, InferenceRuntime runtime, VideoCrafterOptions options) {
        Path configFile = dir.resolve(CONFIG);
        VideoCrafterConfig declared = Files.isRegularFile(configFile)
                ? HfConfigReader.read(configFile, VideoCrafterConfig.class) : VideoCrafterConfig.defaults();
        ClipTokenizer tokenizer = ClipTokenizer.load(dir.resolve(TOKENIZER),
                new ClipTokenizer.Options(options.textCleaning(), PAD_TOKEN));
        NDManager manager = runtime.newModelManager("videocrafter1");
        try (Checkpoint ckpt = openCheckpoint(dir)) {
            VideoCrafterConfig config = declared.withConditioning(
                    declared.fpsCond() != null ? declared.fpsCond() : ckpt.contains(VideoCrafterKeys.FPS_EMBEDDING),
                    declared.useScale() != null ? declared.useScale() : ckpt.contains(VideoCrafterKeys.SCALE_ARR));
            WeightLoader loader = new WeightLoader(ckpt, manager, runtime.dataType(), WeightLoader.Mode.STRICT);
            for (String regex : VideoCrafterKeys.ignored(config.textLayers())) {
                loader.ignore(regex);
            }
            Weights w = Weights.from(loader);
            ClipTextModel text = loadTextEncoder(w, config);
            VideoCrafterUNet unet = VideoCrafterUNet.load(VideoCrafterUNet.remapped(w), config, options.attentionSliceSize());
            AutoencoderKlDecoder vae = loadVae(w, config, options.attentionSliceSize());
            loader.finish();
            if (tokenizer.vocabSize() != config.textVocabSize()) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, dir + ": tokenizer has " + tokenizer.vocabSize()
                        + " tokens, the text tower " + config.textVocabSize());
            }
            return new VideoCrafterPipeline(runtime, options, config, tokenizer, text, unet, vae, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * {@code model.safetensors} (or the folder's one safetensors file) when present, else the original
     * {@code model.ckpt} read directly ({@link TorchZipCheckpoint}).
     */
    static Checkpoint openCheckpoint(Path dir) {
        Path ckpt = dir.resolve(ORIGINAL_CHECKPOINT);
        boolean safetensors;
        try (var files = Files.list(dir)) {
            safetensors = files.anyMatch(f -> f.getFileName().toString().endsWith(".safetensors"));
        } catch (java.io.IOException e) {
            throw new Gpt4VideoException(ErrorCode.CHECKPOINT_INVALID, dir + ": cannot list: " + e.getMessage(), e);
        }
        return !safetensors && Files.isRegularFile(ckpt) ? TorchZipCheckpoint.open(ckpt) : Checkpoint.open(dir);
    }

    /** The OpenCLIP text tower read through {@link VideoCrafterKeys#text}, run to the penultimate block. */
    public static ClipTextModel loadTextEncoder(Weights checkpointWeights, VideoCrafterConfig config) {
        return ClipTextModel.load(new RemappedWeights(checkpointWeights.scope(VideoCrafterKeys.TEXT), VideoCrafterKeys::text),
                config.textConfig());
    }

    /** The LDM first-stage decoder read through {@link VideoCrafterKeys#vae} into the shared diffusers decoder. */
    public static AutoencoderKlDecoder loadVae(Weights checkpointWeights, VideoCrafterConfig config, int sliceSize) {
        int levels = config.vaeBlockOutChannels().size();
        return AutoencoderKlDecoder.load(new RemappedWeights(checkpointWeights.scope(VideoCrafterKeys.VAE),
                name -> VideoCrafterKeys.vae(name, levels)), config.vaeConfig(), sliceSize);
    }

    public VideoCrafterOptions options() {
        return options;
    }

    public VideoCrafterConfig config() {
        return config;
    }

    /** Pixels per latent along each side (8 for the released models). */
    public int vaeScaleFactor() {
        return config.vaeConfig().scaleFactor();
    }

    /** {@code [negative, prompt]} (uncond first) when guided, else {@code [prompt]}: (rows, 77, width). */
    public NDArray encodePrompts(NDManager manager, String prompt, String negativePrompt, boolean guided) {
        int[] ids = tokenizer.encode(prompt);
        int[][] rows = guided ? new int[][] {tokenizer.encode(negativePrompt == null ? "" : negativePrompt), ids}
                : new int[][] {ids};
        return textEncoder.encode(manager, rows);
    }

    /**
     * lvdm's {@code scale_arr} at training step t ({@code fix_scale_bug}): linspace(scale_a, scale_b,
     * mid_step) then scale_b.
     */
    double scaleAt(int t) {
        int mid = config.scaleMidStep();
        if (t >= mid) {
            return config.scaleB();
        }
        return config.scaleA() + (config.scaleB() - config.scaleA()) * t / (mid - 1);
    }

    /**
     * One generation in a request-scoped manager closed before returning (also on failure or
     * cancellation). Checks {@code cancel} before every step and reports each step to {@code progress}.
     */
    public Frames generate(String prompt, String negativePrompt, int width, int height, int frames, int steps,
                           double guidanceScale, double eta, int fpsCondition, long seed, ProgressListener progress,
                           Cancellation cancel) {
        int scale = vaeScaleFactor() << (config.levels() - 1);
        if (width % scale != 0 || height % scale != 0) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                    "width and height must be multiples of " + scale + ", got " + width + "x" + height);
        }
        boolean guided = guidanceScale != 1.0;
        Random noise = new Random(seed);
        long[] shape = {1, config.inChannels(), frames, height / vaeScaleFactor(), width / vaeScaleFactor()};
        try (NDManager request = runtime.newRequestManager()) {
            DdimScheduler ddim = new DdimScheduler(SchedulerConfig.stableDiffusion());
            int[] timesteps = ddim.setTimesteps(steps);
            int stride = 1000 / steps;
            NDArray context = encodePrompts(request, prompt, negativePrompt, guided);
            NDArray latents = gaussian(request, noise, shape);
            for (int k = 0; k < timesteps.length; k++) {
                cancel.throwIfCancelled();
                int t = timesteps[k];
                NDArray next;
                try (Scope s = Scope.open(latents, context)) {
                    NDArray eps = predictNoise(latents, t, context, guidanceScale, fpsCondition);
                    NDArray z = eta > 0 ? gaussian(s.manager(), noise, shape) : null;
                    // use_scale: x0 is divided by scale[t] and the x0 term multiplied by scale[t_prev] (scale[0] at the end).
                    double x0Scale = config.hasScale() ? scaleAt(Math.max(t - stride, 0)) / scaleAt(t) : 1.0;
                    next = s.keep(ddim.step(eps, t, latents, eta, z, x0Scale).prevSample());
                }
                latents.close();
                latents = next;
                progress.onStep(k + 1, timesteps.length);
            }
            cancel.throwIfCancelled();
            // lvdm clamps to [-1, 1] before (x + 1) / 2: the same uint8 values as ZeroScope's conversion.
            return ZeroScopePipeline.toFrames(vae.decodeVideo(latents, options.vaeFramesPerBatch()), options.fps());
        }
    }

    /** Guided noise prediction: both rows in one UNet batch, then {@code uncond + g (cond - uncond)}. */
    NDArray predictNoise(NDArray latents, int timestep, NDArray context, double guidanceScale, int fpsCondition) {
        boolean guided = context.getShape().get(0) == 2;
        try (Scope s = Scope.open(latents, context)) {
            NDArray input = guided ? latents.concat(latents, 0) : latents;
            NDArray eps = unet.forward(input, timestep, context, fpsCondition);
            if (guided) {
                NDList halves = eps.split(2, 0);
                NDArray uncond = halves.get(0);
                eps = uncond.add(halves.get(1).sub(uncond).mul((float) guidanceScale));
            }
            return s.keep(eps);
        }
    }

    private NDArray gaussian(NDManager manager, Random random, long[] shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return manager.create(values, new Shape(shape));
    }

    @Override
    public void close() {
        modelManager.close();
    }
}

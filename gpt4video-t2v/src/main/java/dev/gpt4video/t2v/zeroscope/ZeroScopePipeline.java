package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.t2v.ProgressListener;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.t2v.nn.Probe;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.scheduler.DdimScheduler;
import dev.gpt4video.t2v.scheduler.DpmSolverMultistepScheduler;
import dev.gpt4video.t2v.scheduler.Scheduler;
import dev.gpt4video.t2v.scheduler.SchedulerConfig;
import dev.gpt4video.t2v.text.ClipTextModel;
import dev.gpt4video.t2v.text.ClipTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * diffusers' {@code TextToVideoSDPipeline} for a ZeroScope folder: tokenizer and CLIP text encoder,
 * UNet3D denoising loop with classifier-free guidance, AutoencoderKL decode, uint8 frames.
 *
 * <p>The loop reads like the reference: encode {@code [negative, prompt]} in one batch, draw the
 * initial latents, then for each timestep run the UNet once on the doubled batch, combine
 * {@code uncond + g (text - uncond)} and let the scheduler step; finally decode frame by frame.
 *
 * <p>Initial noise is drawn in Java from {@code java.util.Random(seed).nextGaussian()} in
 * (1, 4, F, h, w) row-major order, so a seed gives the same latents on CPU and GPU and across
 * engine versions (not the same as torch's {@code randn}).
 *
 * <pre>{@code
 * try (ZeroScopePipeline p = ZeroScopePipeline.load(dir, runtime, ZeroScopeOptions.defaults())) {
 *     Frames f = p.generate("a cat playing piano", "", 576, 320, 24, 40, 9.0, 42L, step -> {}, new Cancellation());
 * }
 * }</pre>
 */
public final class ZeroScopePipeline implements AutoCloseable {
    /** Folder layout of a diffusers text-to-video pipeline. */
    static final String MODEL_INDEX = "model_index.json";
    static final String TOKENIZER = "tokenizer";
    static final String TEXT_ENCODER = "text_encoder";
    static final String UNET = "unet";
    static final String VAE = "vae";
    static final String SCHEDULER = "scheduler";
    private static final Map<String, String> EXPECTED_CLASSES = Map.of(TOKENIZER, "CLIPTokenizer",
            TEXT_ENCODER, "CLIPTextModel", UNET, "UNet3DConditionModel", VAE, "AutoencoderKL");

    private final InferenceRuntime runtime;
    private final ZeroScopeOptions options;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final UNet3DConditionModel unet;
    private final AutoencoderKlDecoder vae;
    private final SchedulerConfig schedulerConfig;
    private final List<NDManager> modelManagers;

    private ZeroScopePipeline(InferenceRuntime runtime, ZeroScopeOptions options, ClipTokenizer tokenizer,
                              ClipTextModel textEncoder, UNet3DConditionModel unet, AutoencoderKlDecoder vae,
                              SchedulerConfig schedulerConfig, List<NDManager> modelManagers) {
        this.runtime = runtime;
        this.options = options;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
        this.modelManagers = modelManagers;
    }

    /**
     * Loads a diffusers folder ({@code model_index.json}, {@code tokenizer/}, {@code text_encoder/},
     * {@code unet/}, {@code vae/}, {@code scheduler/}) in the runtime's device and dtype. Every
     * checkpoint tensor is matched by name and shape; any missing, unexpected or misshapen tensor fails.
     */
    public static ZeroScopePipeline load(Path dir, InferenceRuntime runtime, ZeroScopeOptions options) {
        checkModelIndex(dir);
        DataType type = runtime.dataType();
        int slice = options.attentionSliceSize();
        List<NDManager> managers = new ArrayList<>();
        try {
            ClipTokenizer tokenizer = ClipTokenizer.load(dir.resolve(TOKENIZER),
                    new ClipTokenizer.Options(options.textCleaning(), null));
            NDManager textManager = track(managers, runtime.newModelManager("zeroscope-text-encoder"));
            ClipTextModel text = ClipTextModel.load(dir.resolve(TEXT_ENCODER), textManager, type);
            NDManager unetManager = track(managers, runtime.newModelManager("zeroscope-unet"));
            UNet3DConditionModel unet = UNet3DConditionModel.load(dir.resolve(UNET), unetManager, type, slice);
            NDManager vaeManager = track(managers, runtime.newModelManager("zeroscope-vae"));
            AutoencoderKlDecoder vae = AutoencoderKlDecoder.load(dir.resolve(VAE), vaeManager, type, slice);
            if (unet.config().crossAttentionDim() != (int) text.config().hiddenSize()) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, dir + ": unet cross_attention_dim "
                        + unet.config().crossAttentionDim() + " != text encoder hidden_size " + text.config().hiddenSize());
            }
            if (unet.config().inChannels() != vae.config().latentChannels()) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, dir + ": unet in_channels "
                        + unet.config().inChannels() + " != vae latent_channels " + vae.config().latentChannels());
            }
            Path schedulerFile = dir.resolve(SCHEDULER).resolve("scheduler_config.json");
            SchedulerConfig sc = Files.isRegularFile(schedulerFile)
                    ? HfConfigReader.read(schedulerFile, SchedulerConfig.class) : SchedulerConfig.stableDiffusion();
            ZeroScopePipeline pipeline = new ZeroScopePipeline(runtime, options, tokenizer, text, unet, vae, sc, managers);
            try (NDManager check = runtime.newRequestManager()) {
                pipeline.newScheduler(check); // a bad scheduler config fails at load, not on the first request
            }
            return pipeline;
        } catch (RuntimeException e) {
            managers.forEach(NDManager::close);
            throw e;
        }
    }

    private static NDManager track(List<NDManager> managers, NDManager m) {
        managers.add(m);
        return m;
    }

    private static void checkModelIndex(Path dir) {
        Path index = dir.resolve(MODEL_INDEX);
        if (!Files.isRegularFile(index)) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, dir + ": no " + MODEL_INDEX
                    + " (expected a diffusers text-to-video folder)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, index + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, String> e : EXPECTED_CLASSES.entrySet()) {
            JsonNode entry = root.get(e.getKey());
            String cls = entry != null && entry.isArray() && entry.size() == 2 ? entry.get(1).asText() : null;
            if (!e.getValue().equals(cls)) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, index + ": component '" + e.getKey()
                        + "' is " + cls + ", expected " + e.getValue());
            }
        }
    }

    public ZeroScopeOptions options() {
        return options;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** Pixels per latent along each side (8 for ZeroScope). */
    public int vaeScaleFactor() {
        return vae.config().scaleFactor();
    }

    /** A fresh scheduler of the configured kind from the folder's scheduler config (diffusers from_config). */
    public Scheduler newScheduler(NDManager stateManager) {
        return options.scheduler().equals(ZeroScopeOptions.DDIM)
                ? new DdimScheduler(schedulerConfig)
                : new DpmSolverMultistepScheduler(schedulerConfig, stateManager);
    }

    /**
     * The text context: {@code [negative, prompt]} (uncond first) when {@code guided}, else
     * {@code [prompt]}; (rows, 77, hidden) in {@code manager}.
     */
    public NDArray encodePrompts(NDManager manager, String prompt, String negativePrompt, boolean guided) {
        int[] ids = tokenizer.encode(prompt);
        int[][] rows = guided ? new int[][] {tokenizer.encode(negativePrompt == null ? "" : negativePrompt), ids}
                : new int[][] {ids};
        return textEncoder.encode(manager, rows);
    }

    /**
     * Standard normal latents (1, C, F, h, w) from {@code java.util.Random(seed)}, scaled by the
     * scheduler's initial sigma.
     */
    public NDArray initialLatents(NDManager manager, long seed, int frames, int latentHeight, int latentWidth,
                                  float initSigma) {
        int channels = unet.config().inChannels();
        float[] values = new float[Math.multiplyExact(Math.multiplyExact(channels, frames),
                Math.multiplyExact(latentHeight, latentWidth))];
        Random random = new Random(seed);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * initSigma;
        }
        return manager.create(values, new Shape(1, channels, frames, latentHeight, latentWidth));
    }

    /**
     * The denoising loop. {@code latents} (1, C, F, h, w) and {@code context} (2 or 1 rows) live in a
     * request manager; each step runs in its own scope, so only the running latents and the
     * scheduler's state outlive it. Checks {@code cancel} before every step and reports each step to
     * {@code progress}; {@code probe} sees {@code step.k.*} tensors named as in the pipeline golden.
     */
    public NDArray denoise(NDArray latents, NDArray context, Scheduler scheduler, int steps, double guidanceScale,
                           ProgressListener progress, Cancellation cancel, Probe probe) {
        int[] timesteps = scheduler.setTimesteps(steps);
        for (int k = 0; k < timesteps.length; k++) {
            cancel.throwIfCancelled();
            int t = timesteps[k];
            Probe p = probe.under("step." + k + ".");
            NDArray next;
            try (Scope s = Scope.open(latents, context)) {
                p.report("latents_in", latents);
                NDArray noise = predictNoise(latents, t, context, guidanceScale, p);
                next = s.keep(scheduler.step(noise, t, latents).prevSample());
                p.report("latents_out", next);
            }
            if (k > 0) {
                latents.close(); // our own previous step's output; the caller's input stays
            }
            latents = next;
            progress.onStep(k + 1, timesteps.length);
        }
        return latents;
    }

    /**
     * One guided noise prediction: the UNet on {@code [latents, latents]} with {@code context}
     * {@code [negative, prompt]}, then {@code uncond + g (text - uncond)}; with a one-row context
     * the UNet output itself. The result is in {@code latents}' manager.
     */
    public NDArray predictNoise(NDArray latents, int timestep, NDArray context, double guidanceScale, Probe probe) {
        boolean guided = context.getShape().get(0) == 2;
        try (Scope s = Scope.open(latents, context)) {
            NDArray input = guided ? latents.concat(latents, 0) : latents;
            NDArray noise = unet.forward(input, timestep, context);
            if (guided) {
                NDList halves = noise.split(2, 0);
                NDArray uncond = halves.get(0);
                NDArray text = halves.get(1);
                probe.report("unet_noise_pred_uncond", uncond);
                probe.report("unet_noise_pred_text", text);
                noise = uncond.add(text.sub(uncond).mul((float) guidanceScale));
            }
            probe.report("guided_noise_pred", noise);
            return s.keep(noise);
        }
    }

    /** Decodes latents (B, C, F, h, w) to float32 video (B, 3, F, H, W), about [-1, 1]. */
    public NDArray decode(NDArray latents) {
        return vae.decodeVideo(latents, options.vaeFramesPerBatch());
    }

    /**
     * diffusers' {@code tensor2vid} for one video (1, 3, F, H, W): {@code clamp(x * 0.5 + 0.5, 0, 1) * 255}
     * truncated to uint8 (numpy's {@code astype}), packed RGB per frame.
     */
    public static Frames toFrames(NDArray video, double fps) {
        Shape s = video.getShape();
        if (s.dimension() != 5 || s.get(0) != 1 || s.get(1) != 3) {
            throw new IllegalArgumentException("video must be (1, 3, F, H, W), got " + s);
        }
        int frames = (int) s.get(2);
        int height = (int) s.get(3);
        int width = (int) s.get(4);
        try (Scope sc = Scope.open(video)) {
            NDArray pixels = video.toType(DataType.FLOAT32, false).mul(0.5f).add(0.5f).clip(0f, 1f).mul(255f)
                    .toType(DataType.UINT8, false).squeeze(0).transpose(1, 2, 3, 0);
            byte[] all = pixels.toByteArray();
            int per = width * height * 3;
            List<byte[]> rgb = new ArrayList<>(frames);
            for (int f = 0; f < frames; f++) {
                rgb.add(java.util.Arrays.copyOfRange(all, f * per, (f + 1) * per));
            }
            return new Frames(width, height, fps, rgb);
        }
    }

    /**
     * One generation end to end in a request-scoped manager that is closed before returning (also on
     * failure or cancellation, freeing the native memory at once).
     */
    public Result generate(String prompt, String negativePrompt, int width, int height, int frames, int steps,
                           double guidanceScale, long seed, ProgressListener progress, Cancellation cancel) {
        int scale = vaeScaleFactor();
        if (width % scale != 0 || height % scale != 0) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                    "width and height must be multiples of " + scale + ", got " + width + "x" + height);
        }
        boolean guided = guidanceScale > 1.0;
        try (NDManager request = runtime.newRequestManager()) {
            Scheduler scheduler = newScheduler(request);
            NDArray context = encodePrompts(request, prompt, negativePrompt, guided);
            NDArray latents = initialLatents(request, seed, frames, height / scale, width / scale,
                    scheduler.initNoiseSigma());
            latents = denoise(latents, context, scheduler, steps, guidanceScale, progress, cancel, Probe.NONE);
            cancel.throwIfCancelled();
            Frames out = toFrames(decode(latents), options.fps());
            return new Result(out, scheduler.describe());
        }
    }

    /** Frames plus the scheduler that produced them. */
    public record Result(Frames frames, String scheduler) {
    }

    @Override
    public void close() {
        modelManagers.forEach(NDManager::close);
    }
}

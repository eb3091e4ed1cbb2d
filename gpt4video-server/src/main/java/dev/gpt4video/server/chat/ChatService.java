package dev.gpt4video.server.chat;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.chat.AssembledPrompt;
import dev.gpt4video.core.chat.ChatMessage;
import dev.gpt4video.core.chat.PromptSegment;
import dev.gpt4video.core.chat.Role;
import dev.gpt4video.core.safety.SafetyDecision;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.llm.generate.GeneratedToken;
import dev.gpt4video.llm.generate.GenerationHandle;
import dev.gpt4video.llm.generate.GenerationRequest;
import dev.gpt4video.llm.generate.GenerationResult;
import dev.gpt4video.llm.generate.TokenListener;
import dev.gpt4video.llm.llama.Segment;
import dev.gpt4video.server.metrics.ServerMetrics;
import dev.gpt4video.server.serving.ServingModel;
import dev.gpt4video.server.serving.StorageProperties;
import dev.gpt4video.server.serving.T2vProperties;
import dev.gpt4video.server.videos.VideoObject;
import dev.gpt4video.t2v.jobs.VideoJob;
import dev.gpt4video.t2v.jobs.VideoJobEvent;
import dev.gpt4video.t2v.jobs.VideoJobs;
import dev.gpt4video.t2v.route.RouterEvent;
import dev.gpt4video.t2v.route.SpanRouter;
import org.springframework.stereotype.Service;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs one chat turn: input safety, video embedding, prompt assembly, streamed generation, and
 * routing of {@code <video>} spans in the reply to text-to-video jobs (after the caption passes
 * the output-prompt safety stage).
 *
 * <p>The work is split in two: a preparation thread and the scheduler's callbacks only put events
 * on a queue; the calling (request) thread takes them off, routes spans, starts jobs and writes to
 * the client. So a slow client never slows the shared decode loop, and a write failure (client gone)
 * cancels the turn from the thread that noticed it.
 */
@Service
public class ChatService {
    static final String REFUSAL = "I'm sorry, but I can't assist with that request.";
    private static final long KEEP_ALIVE_MILLIS = 1000;

    private final ServerMetrics metrics;
    private final StorageProperties storage;
    private final T2vProperties t2v;

    public ChatService(ServerMetrics metrics, StorageProperties storage, T2vProperties t2v) {
        this.metrics = metrics;
        this.storage = storage;
        this.t2v = t2v;
    }

    private sealed interface Event {
        record Token(GeneratedToken token, long nanos) implements Event {
        }

        record Done(GenerationResult result) implements Event {
        }

        record Failed(Gpt4VideoException error) implements Event {
        }

        record Refused(SafetyDecision decision) implements Event {
        }

        record Job(VideoJobEvent event) implements Event {
        }
    }

    /** Runs the turn to its end on the calling thread; throws coded errors that occur before any output. */
    public ChatSummary run(ServingModel serving, ChatCall call, ChatOutput out, Cancellation cancel) throws IOException {
        LanguageEngine engine = serving.language()
                .orElseThrow(() -> new Gpt4VideoException(ErrorCode.NOT_READY, "this server has no language model loaded"));
        String id = "chatcmpl-" + java.util.UUID.randomUUID().toString().replace("-", "");
        long start = System.nanoTime();
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        Set<String> myJobs = java.util.concurrent.ConcurrentHashMap.newKeySet();
        VideoJobs.Subscription sub = serving.videos().addListener(e -> {
            if (myJobs.contains(e.job().id())) {
                events.add(new Event.Job(e));
            }
        });
        Turn turn = new Turn(id, serving, engine, call, out, cancel, events, myJobs, start);
        try {
            Thread prep = Thread.ofVirtual().name("chat-prep-" + id).start(turn::prepare);
            try {
                return turn.consume();
            } finally {
                prep.interrupt();
            }
        } finally {
            turn.abandon();
            sub.close();
        }
    }

    private final class Turn {
        final String id;
        final ServingModel serving;
        final LanguageEngine engine;
        final ChatCall call;
        final ChatOutput out;
        final Cancellation cancel;
        final BlockingQueue<Event> events;
        final Set<String> myJobs;
        final long start;
        final SpanRouter router;
        final StringBuilder content = new StringBuilder();
        final Map<String, VideoObject> videos = new LinkedHashMap<>();
        final Set<String> pending = new HashSet<>();
        volatile GenerationHandle handle;
        String refusal;
        long lastToken;
        boolean firstToken = true;

        Turn(String id, ServingModel serving, LanguageEngine engine, ChatCall call, ChatOutput out, Cancellation cancel,
             BlockingQueue<Event> events, Set<String> myJobs, long start) {
            this.id = id;
            this.serving = serving;
            this.engine = engine;
            this.call = call;
            this.out = out;
            this.cancel = cancel;
            this.events = events;
            this.myJobs = myJobs;
            this.start = start;
            this.router = new SpanRouter(t2v.maxSpans(), t2v.maxCaptionChars());
        }

        /** Safety on the way in, video embeddings, prompt, submission; on the preparation thread. */
        void prepare() {
            try {
                String question = lastUserText(call.messages());
                SafetyDecision text = check(SafetyInput.text(SafetyStage.INPUT_TEXT, question));
                if (text.blocked()) {
                    events.add(new Event.Refused(text));
                    return;
                }
                VideoUnderstanding vision = serving.vision().orElse(null);
                List<Segment> embedded = new ArrayList<>();
                for (java.nio.file.Path video : call.videos()) {
                    if (vision == null) {
                        throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                                "messages: this model has no vision tower, so it cannot take videos");
                    }
                    cancel.throwIfCancelled();
                    long t0 = System.nanoTime();
                    int frames = call.numFrames() != null ? call.numFrames() : vision.defaultFrames();
                    VideoUnderstanding.Encoded enc = vision.encode(video, frames);
                    metrics.videoEncode(System.nanoTime() - t0);
                    SafetyDecision v = check(SafetyInput.frames(SafetyStage.INPUT_VIDEO, enc.frames()));
                    if (v.blocked()) {
                        events.add(new Event.Refused(v));
                        return;
                    }
                    embedded.add(enc.embeddings());
                }
                int tokensPerVideo = vision == null ? 0 : vision.tokensPerVideo();
                int maxTokens = call.sampling().maxTokens() != null ? call.sampling().maxTokens()
                        : Math.max(1, Math.min(512, engine.contextLength() / 4));
                AssembledPrompt prompt = engine.assembler(tokensPerVideo)
                        .assemble(null, call.messages(), engine.contextLength() - maxTokens);
                List<Segment> segments = new ArrayList<>();
                for (PromptSegment s : prompt.segments()) {
                    segments.add(switch (s) {
                        case PromptSegment.Tokens t -> Segment.tokens(t.ids());
                        case PromptSegment.Video v -> {
                            if (v.index() < 0 || v.index() >= embedded.size()) {
                                throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                                        "messages: video " + v.index() + " is not attached to this conversation");
                            }
                            yield embedded.get(v.index());
                        }
                    });
                }
                cancel.throwIfCancelled();
                GenerationRequest request = generationRequest(segments, maxTokens);
                handle = engine.scheduler().submit(request, new TokenListener() {
                    @Override
                    public void onToken(GeneratedToken token) {
                        events.add(new Event.Token(token, System.nanoTime()));
                    }

                    @Override
                    public void onComplete(GenerationResult result) {
                        events.add(new Event.Done(result));
                    }

                    @Override
                    public void onError(Gpt4VideoException error) {
                        events.add(new Event.Failed(error));
                    }
                });
                if (cancel.isCancelled()) {
                    handle.cancel();
                }
            } catch (Gpt4VideoException e) {
                events.add(new Event.Failed(e));
            } catch (RuntimeException e) {
                events.add(new Event.Failed(new Gpt4VideoException(ErrorCode.INTERNAL, "chat failed: " + e, e)));
            }
        }

        GenerationRequest generationRequest(List<Segment> segments, int maxTokens) {
            ChatCall.Sampling s = call.sampling();
            List<String> stops = new ArrayList<>(engine.template().stopStrings());
            if (s.stop() != null) {
                stops.addAll(s.stop());
            }
            return GenerationRequest.builder(segments)
                    .maxTokens(maxTokens)
                    .temperature(s.temperature() == null ? 1.0 : s.temperature())
                    .topP(s.topP() == null ? 1.0 : s.topP())
                    .topK(s.topK() == null ? 0 : s.topK())
                    .repetitionPenalty(s.repetitionPenalty() == null ? 1.0 : s.repetitionPenalty())
                    .seed(s.seed())
                    .stopStrings(stops)
                    .logprobs(s.logprobs())
                    .beamWidth(s.beamWidth() == null ? 1 : s.beamWidth())
                    .ignoreEos(s.ignoreEos())
                    .build();
        }

        /** Takes events off the queue until the turn is over; on the request thread. */
        ChatSummary consume() throws IOException {
            GenerationResult result = null;
            while (true) {
                Event e;
                try {
                    e = events.poll(KEEP_ALIVE_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    cancel.cancel();
                    throw new Gpt4VideoException(ErrorCode.CANCELLED, "interrupted");
                }
                if (cancel.isCancelled() && handle != null) {
                    handle.cancel();
                }
                if (e == null) {
                    out.keepAlive();
                    continue;
                }
                switch (e) {
                    case Event.Token t -> onToken(t);
                    case Event.Failed f -> throw f.error();
                    case Event.Refused r -> {
                        return refuse(r.decision());
                    }
                    case Event.Job j -> onJob(j.event());
                    case Event.Done d -> {
                        result = d.result();
                        for (RouterEvent re : router.finish()) {
                            route(re, List.of());
                        }
                    }
                }
                if (result != null && (pending.isEmpty() || !call.waitForVideos())) {
                    return finish(result);
                }
            }
        }

        void onToken(Event.Token t) throws IOException {
            if (firstToken) {
                metrics.timeToFirstToken(t.nanos() - start);
                firstToken = false;
            } else {
                metrics.interTokenLatency(t.nanos() - lastToken);
            }
            lastToken = t.nanos();
            String text = t.token().text();
            List<RouterEvent> routed = router.push(text);
            if (routed.isEmpty() && call.sampling().logprobs() != null) {
                out.text("", List.of(t.token()));
            }
            boolean attached = false;
            for (RouterEvent re : routed) {
                attached |= route(re, attached ? List.of() : List.of(t.token()));
            }
        }

        /** Returns whether the tokens were passed on with emitted text. */
        boolean route(RouterEvent re, List<GeneratedToken> tokens) throws IOException {
            switch (re) {
                case RouterEvent.Text txt -> {
                    content.append(txt.text());
                    out.text(txt.text(), tokens);
                    return true;
                }
                case RouterEvent.Span span -> startVideo(span);
                case RouterEvent.Skipped skipped -> {
                }
            }
            return false;
        }

        void startVideo(RouterEvent.Span span) throws IOException {
            SafetyDecision d = check(SafetyInput.text(SafetyStage.OUTPUT_PROMPT, span.caption()));
            if (d.blocked()) {
                String text = refusalText(d);
                metrics.refusal(d.stage().id());
                out.refusal(d.stage().id(), text, d.categories());
                String shown = "\n" + text;
                content.append(shown);
                out.text(shown, List.of());
                refusal = text;
                return;
            }
            VideoJob job;
            try {
                job = serving.videos().submit(call.videoBackend(), new T2vRequest(span.caption(), null));
            } catch (Gpt4VideoException e) {
                // A full queue or an unknown backend should not end the reply: report the video as failed.
                VideoObject failed = new VideoObject("video_unqueued_" + span.ordinal(), "video",
                        call.videoBackend(), "failed", 0, 0, System.currentTimeMillis() / 1000, null, null, null,
                        null, span.caption(), null, false, new VideoObject.Error(e.code().code(), e.getMessage()), Map.of());
                videos.put(failed.id(), failed);
                out.video("video.failed", failed);
                return;
            }
            myJobs.add(job.id());
            pending.add(job.id());
            VideoObject v = VideoObject.of(job, storage.videoTtl());
            videos.put(job.id(), v);
            out.video("video.queued", v);
            // Events that fired before we subscribed to this id are covered by a fresh snapshot.
            serving.videos().job(job.id()).ifPresent(now -> {
                if (now.state() != job.state()) {
                    events.add(new Event.Job(snapshotEvent(now)));
                }
            });
        }

        void onJob(VideoJobEvent e) throws IOException {
            VideoObject v = VideoObject.of(e.job(), storage.videoTtl());
            VideoObject before = videos.put(v.id(), v);
            String type = "video." + switch (e) {
                case VideoJobEvent.Queued q -> "queued";
                case VideoJobEvent.Started s -> "started";
                case VideoJobEvent.Progress p -> "progress";
                case VideoJobEvent.Completed c -> "completed";
                case VideoJobEvent.Failed f -> "failed";
                case VideoJobEvent.Cancelled c -> "cancelled";
            };
            boolean terminal = switch (e.job().state()) {
                case COMPLETED, FAILED, CANCELLED -> true;
                default -> false;
            };
            if (terminal && !pending.remove(v.id()) && before != null && before.status().equals(v.status())) {
                return; // already reported
            }
            out.video(type, v);
        }

        ChatSummary refuse(SafetyDecision d) throws IOException {
            String text = refusalText(d);
            metrics.refusal(d.stage().id());
            out.refusal(d.stage().id(), text, d.categories());
            content.append(text);
            out.text(text, List.of());
            refusal = text;
            ChatSummary summary = new ChatSummary(id, "stop", content.toString(), refusal, 0, 0, List.of());
            out.finished(summary);
            return summary;
        }

        ChatSummary finish(GenerationResult result) throws IOException {
            // The model's own refusals ("I'm sorry, but I can't…") are recognised and counted too.
            if (serving.safety() instanceof dev.gpt4video.safety.policy.DefaultSafetyGate gate
                    && gate.recordModelReply(content.toString())) {
                metrics.refusal("model");
            }
            metrics.requestFinished(System.nanoTime() - start, result.usage().promptTokens(),
                    result.usage().completionTokens(), "chat", result.finishReason().wireName());
            ChatSummary summary = new ChatSummary(id, result.finishReason().wireName(), content.toString(), refusal,
                    result.usage().promptTokens(), result.usage().completionTokens(), List.copyOf(videos.values()));
            out.finished(summary);
            return summary;
        }

        /** On any exit: stop generation; if the client left (cancel), stop this turn's videos too. */
        void abandon() {
            GenerationHandle h = handle;
            if (h != null && !h.isDone()) {
                h.cancel();
            }
            if (cancel.isCancelled()) {
                for (String job : pending) {
                    try {
                        serving.videos().cancel(job);
                    } catch (Gpt4VideoException ignored) {
                        // Already gone.
                    }
                }
            }
        }

        SafetyDecision check(SafetyInput input) {
            SafetyDecision d = serving.safety().check(input);
            metrics.safetyDecision(d);
            return d;
        }
    }

    static VideoJobEvent snapshotEvent(VideoJob job) {
        return switch (job.state()) {
            case QUEUED -> new VideoJobEvent.Queued(job);
            case IN_PROGRESS -> new VideoJobEvent.Started(job);
            case COMPLETED -> new VideoJobEvent.Completed(job, job.artifact());
            case FAILED -> new VideoJobEvent.Failed(job, job.error());
            case CANCELLED -> new VideoJobEvent.Cancelled(job);
        };
    }

    static String refusalText(SafetyDecision d) {
        return d.refusal() != null && !d.refusal().isBlank() ? d.refusal() : REFUSAL;
    }

    static String lastUserText(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                return messages.get(i).text();
            }
        }
        return "";
    }
}

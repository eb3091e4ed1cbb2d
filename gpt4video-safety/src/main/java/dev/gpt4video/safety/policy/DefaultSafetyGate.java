package dev.gpt4video.safety.policy;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyAction;
import dev.gpt4video.core.safety.SafetyClassifier;
import dev.gpt4video.core.safety.SafetyDecision;
import dev.gpt4video.core.safety.SafetyGate;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyScores;
import dev.gpt4video.core.safety.SafetyStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The production gate: every classifier that supports the stage scores the input, the
 * {@link SafetyPolicy} turns scores into an action, and each decision goes to the {@link AuditLog}.
 * <b>Fails closed</b>: when a classifier failed to load, throws, or no classifier covers a stage,
 * the generation stages (output prompt and video) are blocked with category
 * {@value #SAFETY_UNAVAILABLE}, and the input stages take the policy's
 * {@code on_classifier_failure.input} action (block by default). {@link #classifierHealth()}
 * exposes the state for health endpoints.
 *
 * <pre>{@code
 * DefaultSafetyGate gate = DefaultSafetyGate.builder()
 *         .policy(SafetyPolicy.defaults())
 *         .classifier("semantic-text", EnumSet.of(INPUT_TEXT, OUTPUT_PROMPT),
 *                 () -> SemanticTextClassifier.create(MiniLmSentenceEncoder.load(), TextPrototypes.bundled()))
 *         .auditLog(AuditLog.toFile(Path.of("logs/safety-audit.jsonl")))
 *         .build();
 * SafetyDecision d = gate.check(SafetyInput.text(SafetyStage.INPUT_TEXT, userText));
 * }</pre>
 */
public final class DefaultSafetyGate implements SafetyGate, AutoCloseable {
    public static final String SAFETY_UNAVAILABLE = "safety_unavailable";
    private static final Logger LOG = LoggerFactory.getLogger(DefaultSafetyGate.class);

    /** A classifier slot: the instance (null when it failed to load) and its counters. */
    private static final class Slot {
        final String name;
        final Set<SafetyStage> stages;
        final SafetyClassifier classifier;
        final AtomicLong checks = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        volatile String lastError;
        volatile Instant lastFailure;
        volatile boolean lastCallFailed;

        Slot(String name, Set<SafetyStage> stages, SafetyClassifier classifier, String loadError, Instant when) {
            this.name = name;
            this.stages = Set.copyOf(stages);
            this.classifier = classifier;
            this.lastError = loadError;
            this.lastFailure = loadError == null ? null : when;
        }

        boolean loaded() {
            return classifier != null;
        }
    }

    private final SafetyPolicy policy;
    private final List<Slot> slots;
    private final AuditLog audit;
    private final RefusalDetector refusals;
    private final Clock clock;
    private final AtomicLong modelRefusals = new AtomicLong();
    private final AtomicLong blocks = new AtomicLong();

    private DefaultSafetyGate(Builder b) {
        this.policy = b.policy;
        this.slots = List.copyOf(b.slots);
        this.audit = b.audit;
        this.refusals = b.refusals;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "default";
    }

    public SafetyPolicy policy() {
        return policy;
    }

    @Override
    public SafetyDecision check(SafetyInput input) {
        SafetyStage stage = input.stage();
        SafetyPolicy.StagePolicy rules = policy.stage(stage);
        List<SafetyScores> details = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        int used = 0;
        for (Slot slot : slots) {
            if (!slot.stages.contains(stage)) {
                continue;
            }
            used++;
            if (!slot.loaded()) {
                failures.put(slot.name, "not loaded: " + slot.lastError);
                continue;
            }
            slot.checks.incrementAndGet();
            try {
                details.add(slot.classifier.classify(input));
                slot.lastCallFailed = false;
            } catch (RuntimeException e) {
                String error = e.getClass().getSimpleName() + ": " + truncate(String.valueOf(e.getMessage()));
                slot.failures.incrementAndGet();
                slot.lastError = error;
                slot.lastFailure = clock.instant();
                slot.lastCallFailed = true;
                failures.put(slot.name, error);
                LOG.warn("safety classifier {} failed on {}: {}", slot.name, stage.id(), error);
            }
        }
        if (used == 0) {
            failures.put("(none)", "no classifier is configured for stage " + stage.id());
        }

        Map<String, Double> scores = new LinkedHashMap<>();
        for (SafetyScores s : details) {
            s.categoryScores().forEach((c, v) -> scores.merge(c, v, Math::max));
        }
        SafetyAction action = SafetyAction.ALLOW;
        Set<String> triggered = new TreeSet<>();
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            SafetyPolicy.Rule rule = rules.rule(e.getKey());
            if (rule.action() != SafetyAction.ALLOW && e.getValue() >= rule.threshold()) {
                triggered.add(e.getKey());
                action = severest(action, rule.action());
            }
        }
        if (!failures.isEmpty()) {
            SafetyAction onFailure = isGeneration(stage) ? SafetyAction.BLOCK : policy.inputFailureAction();
            if (onFailure != SafetyAction.ALLOW) {
                triggered.add(SAFETY_UNAVAILABLE);
                action = severest(action, onFailure);
            }
        }
        String refusal = action == SafetyAction.BLOCK ? rules.refusal() : null;
        SafetyDecision decision = new SafetyDecision(stage, action, List.copyOf(triggered), scores, refusal, details);
        if (decision.blocked()) {
            blocks.incrementAndGet();
        }
        audit.decision(name(), input, decision, failures);
        return decision;
    }

    /**
     * Looks at a reply the language model generated; when it is a refusal of its own, counts and
     * audits it (by hash) and returns true.
     */
    public boolean recordModelReply(String reply) {
        if (!refusals.isRefusal(reply)) {
            return false;
        }
        modelRefusals.incrementAndGet();
        audit.modelRefusal(name(), reply);
        return true;
    }

    /** Refusals the language model produced itself, as seen by {@link #recordModelReply}. */
    public long modelRefusalCount() {
        return modelRefusals.get();
    }

    /** Decisions this gate blocked. */
    public long blockCount() {
        return blocks.get();
    }

    /** Every classifier's state, for health and status endpoints. */
    public List<ClassifierHealth> classifierHealth() {
        List<ClassifierHealth> out = new ArrayList<>();
        for (Slot s : slots) {
            out.add(new ClassifierHealth(s.name, s.stages, s.loaded() && !s.lastCallFailed, s.checks.get(),
                    s.failures.get(), s.lastError, s.lastFailure));
        }
        return out;
    }

    /** True when every classifier for the stage is loaded and its last call worked (and there is one). */
    public boolean available(SafetyStage stage) {
        boolean any = false;
        for (Slot s : slots) {
            if (s.stages.contains(stage)) {
                any = true;
                if (!s.loaded() || s.lastCallFailed) {
                    return false;
                }
            }
        }
        return any;
    }

    private static boolean isGeneration(SafetyStage stage) {
        return stage == SafetyStage.OUTPUT_PROMPT || stage == SafetyStage.OUTPUT_VIDEO;
    }

    private static SafetyAction severest(SafetyAction a, SafetyAction b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    private static String truncate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    @Override
    public void close() {
        for (Slot s : slots) {
            if (s.loaded()) {
                s.classifier.close();
            }
        }
        audit.close();
    }

    public static final class Builder {
        private SafetyPolicy policy = SafetyPolicy.defaults();
        private final List<Slot> slots = new ArrayList<>();
        private AuditLog audit = AuditLog.discard();
        private RefusalDetector refusals = new RefusalDetector();
        private Clock clock = Clock.systemUTC();

        public Builder policy(SafetyPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** Adds a loaded classifier for every stage it supports. */
        public Builder classifier(SafetyClassifier classifier) {
            Set<SafetyStage> stages = EnumSet.noneOf(SafetyStage.class);
            for (SafetyStage s : SafetyStage.values()) {
                if (classifier.supports(s)) {
                    stages.add(s);
                }
            }
            slots.add(new Slot(classifier.name(), stages, classifier, null, clock.instant()));
            return this;
        }

        /**
         * Loads a classifier now; if loading fails (model missing, bad checkpoint) the gate still
         * starts, reports the classifier unavailable, and fails its stages closed.
         */
        public Builder classifier(String name, Set<SafetyStage> stages, Supplier<? extends SafetyClassifier> loader) {
            try {
                SafetyClassifier c = loader.get();
                slots.add(new Slot(name, stages, c, null, clock.instant()));
            } catch (RuntimeException e) {
                String error = e.getClass().getSimpleName() + ": " + truncate(String.valueOf(e.getMessage()));
                LOG.error("safety classifier {} unavailable, its stages {} fail closed: {}", name, stages, error);
                slots.add(new Slot(name, stages, null, error, clock.instant()));
            }
            return this;
        }

        public Builder auditLog(AuditLog audit) {
            this.audit = audit;
            return this;
        }

        public Builder refusalDetector(RefusalDetector refusals) {
            this.refusals = refusals;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public DefaultSafetyGate build() {
            if (policy == null) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "safety gate: no policy");
            }
            return new DefaultSafetyGate(this);
        }
    }
}

package dev.gpt4video.safety.policy;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises the language model's own refusals ("I'm sorry, but I can't assist with that.") in
 * generated text, so the gate can count them next to its own blocks. Looks only at the opening of
 * the reply, where assistants put refusals; a story that quotes a refusal later is not one.
 */
public final class RefusalDetector {
    private static final int OPENING_CHARS = 200;
    private static final List<Pattern> DEFAULT_PATTERNS = List.of(
            Pattern.compile("\\b(i'm|i am) (so |very )?sorry,? (but )?(i|we) (can't|cannot|can not|won't|will not|am unable to|am not able to)\\b"),
            Pattern.compile("^(sorry,? )?(i|we) (can't|cannot|can not|won't|will not) (help|assist|provide|create|generate|make|comply|do that|fulfill|support|share|answer)"),
            Pattern.compile("\\b(i'm|i am) (unable|not able) to (help|assist|provide|create|generate|comply|fulfill)"),
            Pattern.compile("\\bi (must|have to) (respectfully )?decline\\b"),
            Pattern.compile("\\bas an ai( language model)?,? i (can't|cannot|won't|am not able|must not|do not)\\b"),
            Pattern.compile("\\b(this|that) (request|content) (goes against|violates) (my|our|the) (guidelines|policies|policy)\\b"),
            Pattern.compile("\\bi('m| am) not (comfortable|going to) (help|assist|creat|generat|provid)"));

    private final List<Pattern> patterns;

    public RefusalDetector() {
        this(DEFAULT_PATTERNS);
    }

    public RefusalDetector(List<Pattern> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    public boolean isRefusal(String generated) {
        if (generated == null || generated.isBlank()) {
            return false;
        }
        String s = generated.strip().replace('\u2019', '\'').replace('\u2018', '\'').toLowerCase(Locale.ROOT);
        String opening = s.length() > OPENING_CHARS ? s.substring(0, OPENING_CHARS) : s;
        return patterns.stream().anyMatch(p -> p.matcher(opening).find());
    }
}

package dev.gpt4video.core.safety;

/** The four places a conversation is checked: what comes in, and what would go out. */
public enum SafetyStage {
    /** The user's text. */
    INPUT_TEXT("input_text"),
    /** The user's video frames. */
    INPUT_VIDEO("input_video"),
    /** A caption the model wants to send to a text-to-video backend, before generation. */
    OUTPUT_PROMPT("output_prompt"),
    /** Frames of a generated video, before delivery. */
    OUTPUT_VIDEO("output_video");

    private final String id;

    SafetyStage(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}

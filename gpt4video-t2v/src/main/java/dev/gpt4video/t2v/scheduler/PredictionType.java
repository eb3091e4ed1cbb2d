package dev.gpt4video.t2v.scheduler;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

/** What the denoising model predicts ({@code prediction_type}). */
public enum PredictionType {
    EPSILON, V_PREDICTION, SAMPLE;

    public static PredictionType parse(String value) {
        return switch (value) {
            case "epsilon" -> EPSILON;
            case "v_prediction" -> V_PREDICTION;
            case "sample" -> SAMPLE;
            default -> throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "scheduler config prediction_type: '" + value + "' is not epsilon, v_prediction or sample");
        };
    }
}

package dev.gpt4video.core.t2v;

/**
 * What a backend produces by default and what it accepts; {@code placeholder} marks backends that
 * do not run a generative model (they must say so to clients).
 */
public record BackendCapabilities(int width, int height, int frames, int fps, int steps, double guidanceScale,
                                  int maxWidth, int maxHeight, int maxFrames, int maxSteps, boolean placeholder) {
}

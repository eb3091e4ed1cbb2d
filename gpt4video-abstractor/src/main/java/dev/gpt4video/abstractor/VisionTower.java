package dev.gpt4video.abstractor;

import ai.djl.ndarray.NDArray;

/** The per-frame image encoder in front of an abstractor (CLIP ViT or mPLUG-Owl's video ViT). */
public interface VisionTower {

    /**
     * Features the abstractor reads: {@code [B, T, tokensPerFrame(), hiddenSize()]} from pixels
     * {@code [B,3,T,H,W]} or images {@code [B,3,H,W]} (T = 1). Owned by the pixels' manager.
     */
    NDArray frameFeatures(NDArray pixels);

    int hiddenSize();

    int imageSize();

    int tokensPerFrame();
}

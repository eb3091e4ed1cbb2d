package dev.gpt4video.abstractor.demo;

import dev.gpt4video.core.bundle.ComponentRoles;
import dev.gpt4video.core.bundle.ComponentWriter;
import dev.gpt4video.core.bundle.DemoComponent;

import java.io.IOException;

/**
 * The demo bundle's {@code vision} component: a tiny random mPLUG-Owl video ViT
 * ({@code vision_model.*}, with temporal modules) at 28 px. Load it with
 * {@code VisualPipeline.load(visionDir, abstractorDir, mode, …)}.
 */
public final class MplugOwlVisionDemo implements DemoComponent {
    public static final String TYPE = "mplug-owl-video-vision";

    @Override
    public String role() {
        return ComponentRoles.VISION;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void write(ComponentWriter out) throws IOException {
        MplugOwlDemo.write(out, MplugOwlDemo::isVision);
        out.option("frames", MplugOwlDemo.FRAMES);
        out.option("image_size", MplugOwlDemo.CONFIG.visionConfig().imageSize());
        out.option("dtype", "float32");
    }
}

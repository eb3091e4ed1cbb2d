package dev.gpt4video.abstractor.demo;

import dev.gpt4video.abstractor.AbstractorMode;
import dev.gpt4video.core.bundle.ComponentRoles;
import dev.gpt4video.core.bundle.ComponentWriter;
import dev.gpt4video.core.bundle.DemoComponent;

import java.io.IOException;

/**
 * The demo bundle's {@code abstractor} component: a tiny random mPLUG-Owl video abstractor
 * ({@code query_tokens}, {@code temporal_query_tokens}, {@code abstractor.*}) producing
 * {@code [B, 5, 64]}: 4 query tokens plus {@code vit_eos}, 64 wide for the demo language model.
 */
public final class MplugOwlAbstractorDemo implements DemoComponent {
    public static final String TYPE = "mplug-owl-video-abstractor";

    @Override
    public String role() {
        return ComponentRoles.ABSTRACTOR;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void write(ComponentWriter out) throws IOException {
        MplugOwlDemo.write(out, name -> !MplugOwlDemo.isVision(name));
        out.option("mode", AbstractorMode.MPLUG_OWL_VIDEO.settingName());
        out.option("llm_hidden_size", MplugOwlDemo.LLM_HIDDEN_SIZE);
        out.option("tokens", MplugOwlDemo.CONFIG.numQueryTokens() + 1);
        out.option("dtype", "float32");
    }
}

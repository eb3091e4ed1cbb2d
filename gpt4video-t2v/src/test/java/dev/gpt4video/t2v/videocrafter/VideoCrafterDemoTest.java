package dev.gpt4video.t2v.videocrafter;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.T2vRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The (not yet registered) demo component's folder: byte-stable for a seed, strictly loadable,
 * generates. Written directly: the bundle generator rejects the {@code t2v.videocrafter1} role today.
 */
class VideoCrafterDemoTest {

    @Test
    void writesALoadableByteStableFolder(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        VideoCrafterDemo.writeFolder(a, 42);
        VideoCrafterDemo.writeFolder(b, 42);
        for (String f : new String[] {"model.safetensors", "config.json", "tokenizer/vocab.json", "tokenizer/merges.txt"}) {
            assertThat(Files.readAllBytes(a.resolve(f))).as(f).isEqualTo(Files.readAllBytes(b.resolve(f)));
        }
        assertThat(new VideoCrafterDemo().role()).isEqualTo("t2v.videocrafter1");

        try (InferenceRuntime runtime = InferenceRuntime.create(RuntimeOptions.defaults());
             VideoCrafterBackend backend = VideoCrafterBackend.load(a, runtime,
                     VideoCrafterOptions.fromMap(VideoCrafterDemo.options()))) {
            GeneratedVideo v = backend.generate(new T2vRequest("a cat playing piano", 1L), (s, n) -> { },
                    new Cancellation());
            assertThat(v.frames().count()).isEqualTo(VideoCrafterDemo.FRAMES);
            assertThat(v.frames().width()).isEqualTo(VideoCrafterDemo.WIDTH);
            assertThat(v.metadata()).containsEntry("steps", VideoCrafterDemo.STEPS).containsEntry("fps_condition", 8);
        }
    }
}

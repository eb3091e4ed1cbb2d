package dev.gpt4video.llm.generate;

import dev.gpt4video.llm.tokenizer.StreamDecoder;
import dev.gpt4video.llm.tokenizer.Tokenizer;

import java.util.List;

/** Ids to emitted text for one sequence: incremental detokenising, then stop-string hold-back. */
final class TextStream {
    private final StreamDecoder decoder;
    private final StopStrings stops;

    /** @param tokenizer null: no text (ids only) */
    TextStream(Tokenizer tokenizer, List<String> stopStrings) {
        this.decoder = tokenizer == null ? null : tokenizer.newStreamDecoder();
        this.stops = new StopStrings(stopStrings);
    }

    StopStrings.Released push(int id) {
        return stops.push(decoder == null ? "" : decoder.push(id));
    }

    /**
     * Ends the stream without a stop string: the decoder's leftover bytes, checked against the stop
     * strings once more, then whatever was held back.
     */
    StopStrings.Released finish() {
        StopStrings.Released last = stops.push(decoder == null ? "" : decoder.flush());
        if (last.stopped()) {
            return last;
        }
        return new StopStrings.Released(last.text() + stops.flush(), false);
    }
}

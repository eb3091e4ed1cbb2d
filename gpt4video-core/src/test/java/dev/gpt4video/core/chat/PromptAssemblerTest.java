package dev.gpt4video.core.chat;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptAssemblerTest {
    /** One token per character (code point + 1000), BOS = 1: lengths are easy to reason about. */
    static final TextEncoder CHARS = new TextEncoder() {
        @Override
        public int[] encode(String text) {
            return text.codePoints().map(c -> c + 1000).toArray();
        }

        @Override
        public int bosId() {
            return 1;
        }
    };

    static String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append(id == 1 ? "<s>" : Character.toString(id - 1000));
        }
        return sb.toString();
    }

    static ChatMessage user(String text, int... videos) {
        List<ContentPart> parts = new ArrayList<>();
        for (int v : videos) {
            parts.add(new ContentPart.Video(v));
        }
        parts.add(new ContentPart.Text(text));
        return new ChatMessage(Role.USER, parts);
    }

    static String render(AssembledPrompt p) {
        StringBuilder sb = new StringBuilder();
        for (PromptSegment s : p.segments()) {
            sb.append(s instanceof PromptSegment.Tokens t ? decode(t.ids()) : "[V" + ((PromptSegment.Video) s).index() + "]");
        }
        return sb.toString();
    }

    @Test
    void mplugOwlVideoPromptMatchesTheReferenceLayout() {
        PromptTemplate t = PromptTemplate.named("mplug-owl-video");
        List<PromptPiece> pieces = t.render(null, List.of(user("What is happening?", 0)));
        assertThat(pieces).containsExactly(
                new PromptPiece.Bos(),
                new PromptPiece.Text(MplugOwlVideoTemplate.PREAMBLE + "\nHuman: "),
                new PromptPiece.Video(0),
                new PromptPiece.Text("\nHuman: What is happening?\nAI: "));
        AssembledPrompt p = new PromptAssembler(t, CHARS, 65).assemble(null, List.of(user("Hi?", 0)), 10_000);
        assertThat(render(p)).isEqualTo("<s>" + MplugOwlVideoTemplate.PREAMBLE + "\nHuman: [V0]\nHuman: Hi?\nAI: ");
        int text = ("<s>" + MplugOwlVideoTemplate.PREAMBLE + "\nHuman: \nHuman: Hi?\nAI: ").length() - 2; // "<s>" is one token
        assertThat(p.promptTokens()).isEqualTo(text + 65);
        assertThat(p.videos()).containsExactly(0);
    }

    @Test
    void gpt4videoLayoutPutsVideosBeforeBos() {
        List<ChatMessage> msgs = List.of(user("Describe it.", 0),
                ChatMessage.text(Role.ASSISTANT, "A dog runs."), user("Make one with a cat."));
        AssembledPrompt p = new PromptAssembler(PromptTemplate.named("gpt4video"), CHARS, 65).assemble(null, msgs, 10_000);
        assertThat(render(p)).isEqualTo("Human:[V0]<s>" + Gpt4VideoTemplate.SYSTEM
                + "\nHuman: Describe it.\nAI: A dog runs.\nHuman: Make one with a cat.\nAI:");
    }

    @Test
    void paperTemplateNumbersTagsOnlyWithSeveralVideos() {
        var a = new PromptAssembler(PromptTemplate.named("paper"), CHARS, 3);
        assertThat(render(a.assemble(null, List.of(user("q", 0)), 1000)))
                .isEqualTo("<s>###Human: <video>[V0]</video>\n###Human: q\n###AI:");
        assertThat(render(a.assemble("sys", List.of(user("q", 0, 1)), 1000)))
                .isEqualTo("<s>sys\n###Human: <video0>[V0]</video0>\n###Human: <video1>[V1]</video1>\n###Human: q\n###AI:");
    }

    @Test
    void systemMessagesOverrideTheDefaultPrompt() {
        var a = new PromptAssembler(PromptTemplate.named("mplug-owl-video"), CHARS, 65);
        var p = a.assemble(null, List.of(ChatMessage.text(Role.SYSTEM, "Be brief."), user("Hi")), 1000);
        assertThat(render(p)).isEqualTo("<s>Be brief.\nHuman: Hi\nAI: ");
    }

    @Test
    void oldestTurnsAreDroppedButNeededVideosStay() {
        var a = new PromptAssembler(PromptTemplate.named("plain"), CHARS, 50);
        List<ChatMessage> msgs = List.of(
                user("first question", 0),
                ChatMessage.text(Role.ASSISTANT, "first answer"),
                user("second", 1),
                ChatMessage.text(Role.ASSISTANT, "second answer"),
                user("compare <video0> with this"));
        AssembledPrompt all = a.assemble(null, msgs, 10_000);
        assertThat(all.droppedMessages()).isZero();
        assertThat(all.videos()).containsExactly(0, 1);
        // Budget for the videos and the last question only: every old text goes, video 0 (named) stays,
        // video 1 (not named) goes.
        AssembledPrompt tight = a.assemble(null, msgs, 1 + 50 + "compare <video0> with this".length());
        assertThat(render(tight)).isEqualTo("<s>[V0]compare <video0> with this");
        assertThat(tight.droppedMessages()).isEqualTo(4);
        assertThatThrownBy(() -> a.assemble(null, msgs, 40))
                .isInstanceOfSatisfying(Gpt4VideoException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONTEXT_LENGTH_EXCEEDED));
    }

    @Test
    void withoutAReferenceTheMostRecentVideoIsKept() {
        var a = new PromptAssembler(PromptTemplate.named("plain"), CHARS, 50);
        List<ChatMessage> msgs = List.of(user("a", 0), user("b", 1), ChatMessage.text(Role.ASSISTANT, "ok"),
                user("what happens next?"));
        AssembledPrompt p = a.assemble(null, msgs, 1 + 50 + "what happens next?".length());
        assertThat(p.videos()).containsExactly(1);
    }

    @Test
    void aConversationNeedsAUserMessage() {
        var a = new PromptAssembler(PromptTemplate.named("plain"), CHARS, 50);
        assertThatThrownBy(() -> a.assemble(null, List.of(ChatMessage.text(Role.SYSTEM, "x")), 100))
                .hasMessageContaining("user message");
        assertThatThrownBy(() -> PromptTemplate.named("nope")).hasMessageContaining("unknown 'nope'");
    }
}

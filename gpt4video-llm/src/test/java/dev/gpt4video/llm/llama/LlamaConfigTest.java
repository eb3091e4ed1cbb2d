package dev.gpt4video.llm.llama;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LlamaConfigTest {
    private final ObjectMapper json = new ObjectMapper();

    private ObjectNode minimal() {
        ObjectNode c = json.createObjectNode();
        c.put("vocab_size", 32000).put("hidden_size", 4096).put("intermediate_size", 11008)
                .put("num_hidden_layers", 32).put("num_attention_heads", 32);
        return c;
    }

    private static void assertInvalid(ObjectNode c, String field) {
        assertThatThrownBy(() -> LlamaConfig.fromJson(c)).isInstanceOfSatisfying(Gpt4VideoException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
            assertThat(e.getMessage()).contains(field);
        });
    }

    @Test
    void missingKeysTakeTransformersDefaults() {
        LlamaConfig c = LlamaConfig.fromJson(minimal());
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.numKeyValueHeads()).isEqualTo(32);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.ropeScaling()).isNull();
        assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(c.eosTokenIds()).isEmpty();
    }

    @Test
    void readsLinearRopeScalingInBothSpellings() {
        ObjectNode c = minimal();
        c.putObject("rope_scaling").put("type", "linear").put("factor", 2.0);
        assertThat(LlamaConfig.fromJson(c).ropeScaling().factor()).isEqualTo(2.0);
        c.putObject("rope_scaling").put("rope_type", "linear").put("factor", 4);
        assertThat(LlamaConfig.fromJson(c).ropeScaling().factor()).isEqualTo(4.0);
        c.putObject("rope_scaling").put("type", "dynamic").put("factor", 2.0);
        assertInvalid(c, "rope_scaling.type");
    }

    @Test
    void readsTheTextConfigOfAnMplugOwlConfig() {
        ObjectNode outer = json.createObjectNode();
        outer.set("text_config", minimal().put("rms_norm_eps", 1e-5).put("eos_token_id", 2));
        LlamaConfig c = LlamaConfig.fromJson(outer);
        assertThat(c.hiddenSize()).isEqualTo(4096);
        assertThat(c.eosTokenIds()).containsExactly(2);
    }

    @Test
    void badValuesFailNamingTheField() {
        assertInvalid(minimal().put("num_key_value_heads", 5), "num_key_value_heads");
        assertInvalid(minimal().put("rms_norm_eps", 0.0), "rms_norm_eps");
        assertInvalid(minimal().put("rope_theta", -1.0), "rope_theta");
        assertInvalid(minimal().put("hidden_size", 4095), "num_attention_heads");
        assertInvalid(minimal().put("hidden_act", "gelu"), "hidden_act");
        assertInvalid(minimal().put("head_dim", 7), "head_dim");
        assertInvalid(minimal().put("vocab_size", 0), "vocab_size");
        assertInvalid(minimal().put("num_hidden_layers", 1.5), "num_hidden_layers");
        assertInvalid(minimal().put("eos_token_id", 32000), "eos_token_id");
        ObjectNode missing = minimal();
        missing.remove("intermediate_size");
        assertInvalid(missing, "intermediate_size");
    }

    @Test
    void writesBackWhatItReads() {
        ObjectNode c = minimal().put("num_key_value_heads", 8).put("tie_word_embeddings", true)
                .put("_name_or_path", "huggyllama/llama-7b");
        c.putObject("rope_scaling").put("type", "linear").put("factor", 2.0);
        LlamaConfig read = LlamaConfig.fromJson(c);
        assertThat(LlamaConfig.fromJson(json.valueToTree(read.toHuggingFace()))).isEqualTo(read);
    }
}

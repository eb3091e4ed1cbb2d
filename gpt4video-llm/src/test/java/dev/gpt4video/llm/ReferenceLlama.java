package dev.gpt4video.llm;

import dev.gpt4video.llm.llama.LlamaConfig;

import java.util.Map;

/**
 * A plain-Java LLaMA forward pass for tests: double-precision loops, no cache (every position
 * recomputed with full causal attention), grouped-query attention by index arithmetic, rotate-half
 * RoPE with linear scaling. Written from the transformers modeling code's equations, independently
 * of the DJL implementation.
 */
public final class ReferenceLlama {
    private final LlamaConfig c;
    private final Map<String, float[]> w;

    /** @param weights tensor name to row-major values (HF names) */
    public ReferenceLlama(LlamaConfig config, Map<String, float[]> weights) {
        this.c = config;
        this.w = weights;
    }

    /** The embedding row of a token. */
    public double[] embed(int id) {
        double[] row = new double[c.hiddenSize()];
        float[] e = w.get("model.embed_tokens.weight");
        for (int i = 0; i < row.length; i++) {
            row[i] = e[id * c.hiddenSize() + i];
        }
        return row;
    }

    /** Logits {@code [n][vocab]} for input rows {@code [n][hidden]} at positions 0..n-1. */
    public double[][] forward(double[][] input) {
        int n = input.length;
        int hidden = c.hiddenSize();
        int heads = c.numAttentionHeads();
        int kvHeads = c.numKeyValueHeads();
        int hd = c.headDim();
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = input[t].clone();
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], w.get(p + "input_layernorm.weight"));
                q[t] = rope(matVec(w.get(p + "self_attn.q_proj.weight"), h, heads * hd), t, heads);
                k[t] = rope(matVec(w.get(p + "self_attn.k_proj.weight"), h, kvHeads * hd), t, kvHeads);
                v[t] = matVec(w.get(p + "self_attn.v_proj.weight"), h, kvHeads * hd);
            }
            for (int t = 0; t < n; t++) {
                double[] attended = new double[heads * hd];
                for (int head = 0; head < heads; head++) {
                    int kvHead = head / (heads / kvHeads);
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) {
                            dot += q[t][head * hd + d] * k[s][kvHead * hd + d];
                        }
                        scores[s] = dot / Math.sqrt(hd);
                        max = Math.max(max, scores[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        sum += scores[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int d = 0; d < hd; d++) {
                            attended[head * hd + d] += scores[s] / sum * v[s][kvHead * hd + d];
                        }
                    }
                }
                double[] o = matVec(w.get(p + "self_attn.o_proj.weight"), attended, hidden);
                for (int i = 0; i < hidden; i++) {
                    x[t][i] += o[i];
                }
                double[] h = rmsNorm(x[t], w.get(p + "post_attention_layernorm.weight"));
                double[] gate = matVec(w.get(p + "mlp.gate_proj.weight"), h, c.intermediateSize());
                double[] up = matVec(w.get(p + "mlp.up_proj.weight"), h, c.intermediateSize());
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                double[] down = matVec(w.get(p + "mlp.down_proj.weight"), gate, hidden);
                for (int i = 0; i < hidden; i++) {
                    x[t][i] += down[i];
                }
            }
        }
        float[] head = w.containsKey("lm_head.weight") && !c.tieWordEmbeddings()
                ? w.get("lm_head.weight") : w.get("model.embed_tokens.weight");
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = matVec(head, rmsNorm(x[t], w.get("model.norm.weight")), c.vocabSize());
        }
        return logits;
    }

    /** Logits for token ids. */
    public double[][] forward(int[] ids) {
        double[][] rows = new double[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            rows[i] = embed(ids[i]);
        }
        return forward(rows);
    }

    private double[] rmsNorm(double[] x, float[] weight) {
        double sq = 0;
        for (double v : x) {
            sq += v * v;
        }
        double scale = 1 / Math.sqrt(sq / x.length + c.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * scale * weight[i];
        }
        return out;
    }

    /** HF rotate_half RoPE on each head of {@code x}; dimension j pairs with j + hd/2. */
    private double[] rope(double[] x, int position, int heads) {
        int hd = c.headDim();
        double factor = c.ropeScaling() == null ? 1 : c.ropeScaling().factor();
        double[] out = new double[x.length];
        for (int head = 0; head < heads; head++) {
            for (int j = 0; j < hd / 2; j++) {
                double angle = position / factor * Math.pow(c.ropeTheta(), -2.0 * j / hd);
                double a = x[head * hd + j];
                double b = x[head * hd + j + hd / 2];
                out[head * hd + j] = a * Math.cos(angle) - b * Math.sin(angle);
                out[head * hd + j + hd / 2] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
        return out;
    }

    /** {@code W x} for {@code W: [rows, x.length]} row-major. */
    private static double[] matVec(float[] weight, double[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += weight[r * x.length + i] * x[i];
            }
            out[r] = s;
        }
        return out;
    }
}

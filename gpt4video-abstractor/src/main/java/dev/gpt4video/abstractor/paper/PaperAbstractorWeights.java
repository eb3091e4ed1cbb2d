package dev.gpt4video.abstractor.paper;

import ai.djl.ndarray.NDArray;
import dev.gpt4video.abstractor.nn.LayerNorm;
import dev.gpt4video.abstractor.nn.Linear;
import dev.gpt4video.core.checkpoint.WeightLoader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tensor names of the paper-mode abstractor (our own; no published checkpoint uses this layout).
 * Everything lives under {@code paper_abstractor.}; {@code docs/abstractor.md} lists every name
 * with its shape. The one place these names are spelled.
 */
public record PaperAbstractorWeights(NDArray spatialQueryTokens, NDArray temporalQueryTokens,
                                     List<Layer> spatialLayers, List<Layer> temporalLayers, LayerNorm norm,
                                     Linear projection) {

    public static final String PREFIX = "paper_abstractor.";
    public static final String SPATIAL_QUERY_TOKENS = "spatial_query_tokens";
    public static final String TEMPORAL_QUERY_TOKENS = "temporal_query_tokens";
    public static final String SPATIAL_LAYERS = "spatial.layers.";
    public static final String TEMPORAL_LAYERS = "temporal.layers.";
    public static final String NORM = "norm";
    public static final String PROJECTION = "projection";

    /** The names inside one cross-attention layer, relative to {@code spatial.layers.{i}.} or {@code temporal.layers.{i}.}. */
    public static final String NORM_QUERY = "norm_query";
    public static final String NORM_CONTEXT = "norm_context";
    public static final String QUERY = "attention.query";
    public static final String KEY = "attention.key";
    public static final String VALUE = "attention.value";
    public static final String OUT = "attention.out";
    public static final String NORM_MLP = "norm_mlp";
    public static final String FC1 = "mlp.fc1";
    public static final String FC2 = "mlp.fc2";

    /**
     * One pre-norm cross-attention block.
     *
     * @param keyValue key and value fused into one {@code [2·D, D]} layer
     */
    public record Layer(LayerNorm normQuery, LayerNorm normContext, Linear query, Linear keyValue, Linear out,
                        LayerNorm normMlp, Linear fc1, Linear fc2) {
    }

    /** Loads {@code paper_abstractor.*} through a loader positioned at the checkpoint root. */
    public static PaperAbstractorWeights load(WeightLoader root, PaperAbstractorConfig c) {
        WeightLoader w = root.scope(PREFIX);
        long d = c.hiddenSize(), q = c.numQueryTokens();
        return new PaperAbstractorWeights(
                w.get(SPATIAL_QUERY_TOKENS, 1, q, d),
                w.get(TEMPORAL_QUERY_TOKENS, 1, q, d),
                layers(w, SPATIAL_LAYERS, c),
                layers(w, TEMPORAL_LAYERS, c),
                LayerNorm.load(w, NORM, d, c.layerNormEps()),
                Linear.load(w, PROJECTION, c.outputSize(), d));
    }

    private static List<Layer> layers(WeightLoader w, String stack, PaperAbstractorConfig c) {
        long d = c.hiddenSize(), m = c.intermediateSize();
        double eps = c.layerNormEps();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            WeightLoader l = w.scope(stack + i + ".");
            layers.add(new Layer(
                    LayerNorm.load(l, NORM_QUERY, d, eps),
                    LayerNorm.load(l, NORM_CONTEXT, d, eps),
                    Linear.load(l, QUERY, d, d),
                    Linear.fuse(Linear.load(l, KEY, d, d), Linear.load(l, VALUE, d, d)),
                    Linear.load(l, OUT, d, d),
                    LayerNorm.load(l, NORM_MLP, d, eps),
                    Linear.load(l, FC1, m, d),
                    Linear.load(l, FC2, d, m)));
        }
        return List.copyOf(layers);
    }

    /** Every tensor with its shape (for writing random checkpoints; loading checks the same shapes). */
    public static Map<String, long[]> shapes(PaperAbstractorConfig c) {
        long d = c.hiddenSize(), m = c.intermediateSize(), q = c.numQueryTokens();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(PREFIX + SPATIAL_QUERY_TOKENS, new long[] {1, q, d});
        s.put(PREFIX + TEMPORAL_QUERY_TOKENS, new long[] {1, q, d});
        for (String stack : new String[] {SPATIAL_LAYERS, TEMPORAL_LAYERS}) {
            for (int i = 0; i < c.numHiddenLayers(); i++) {
                String l = PREFIX + stack + i + ".";
                for (String ln : new String[] {NORM_QUERY, NORM_CONTEXT}) {
                    s.put(l + ln + ".weight", new long[] {d});
                    s.put(l + ln + ".bias", new long[] {d});
                }
                for (String proj : new String[] {QUERY, KEY, VALUE, OUT}) {
                    s.put(l + proj + ".weight", new long[] {d, d});
                    s.put(l + proj + ".bias", new long[] {d});
                }
                s.put(l + NORM_MLP + ".weight", new long[] {d});
                s.put(l + NORM_MLP + ".bias", new long[] {d});
                s.put(l + FC1 + ".weight", new long[] {m, d});
                s.put(l + FC1 + ".bias", new long[] {m});
                s.put(l + FC2 + ".weight", new long[] {d, m});
                s.put(l + FC2 + ".bias", new long[] {d});
            }
        }
        s.put(PREFIX + NORM + ".weight", new long[] {d});
        s.put(PREFIX + NORM + ".bias", new long[] {d});
        s.put(PREFIX + PROJECTION + ".weight", new long[] {c.outputSize(), d});
        s.put(PREFIX + PROJECTION + ".bias", new long[] {c.outputSize()});
        return s;
    }
}

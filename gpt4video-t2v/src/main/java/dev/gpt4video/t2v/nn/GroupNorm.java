package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.GroupNorm} over {@code (N, C, ...)} of any rank: statistics per sample and group
 * across the group's channels and every remaining axis (so frames too, for 5-D input), biased
 * variance, then a per-channel affine. DJL has no group norm; this runs PyTorch's batch norm in
 * training mode on the {@code (1, N*groups, rest)} view, which computes exactly those statistics
 * in one native call.
 */
public final class GroupNorm {
    private final int groups;
    private final float eps;
    private final NDArray gamma;
    private final NDArray beta;

    private GroupNorm(int groups, float eps, NDArray gamma, NDArray beta) {
        this.groups = groups;
        this.eps = eps;
        this.gamma = gamma;
        this.beta = beta;
    }

    public static GroupNorm load(Weights w, String name, int groups, long channels, double eps) {
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(name + ": " + channels + " channels do not split into " + groups + " groups");
        }
        // Stored as (C, 1) so the affine broadcasts over the (N, C, L) view.
        NDArray gamma = w.get(name + ".weight", channels).reshape(channels, 1);
        NDArray beta = w.get(name + ".bias", channels).reshape(channels, 1);
        return new GroupNorm(groups, (float) eps, gamma, beta);
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long c = shape.get(1);
        long rows = n * groups;
        NDArray grouped = x.reshape(1, rows, -1);
        NDArray normed;
        if (grouped.getShape().get(2) > 1) {
            NDManager m = x.getManager();
            NDArray zeros = m.zeros(new Shape(rows), x.getDataType());
            NDArray ones = m.ones(new Shape(rows), x.getDataType());
            normed = grouped.getNDArrayInternal()
                    .batchNorm(grouped, zeros, ones.duplicate(), ones, zeros.duplicate(), 1, 0f, eps, true)
                    .singletonOrThrow();
        } else {
            // One value per group: batch norm refuses it; the result is just beta.
            normed = grouped.sub(grouped);
        }
        return normed.reshape(n, c, -1).mul(gamma).add(beta).reshape(shape);
    }
}

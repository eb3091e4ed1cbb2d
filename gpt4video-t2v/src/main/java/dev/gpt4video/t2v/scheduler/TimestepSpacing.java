package dev.gpt4video.t2v.scheduler;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.Locale;

/** diffusers' {@code timestep_spacing}: how n inference timesteps are picked from the training range. */
public enum TimestepSpacing {
    LEADING, LINSPACE, TRAILING;

    public static TimestepSpacing parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "scheduler config timestep_spacing: '" + value + "' is not leading, linspace or trailing");
        }
    }

    /** numpy's {@code round}: half to even. */
    static long round(double v) {
        return (long) Math.rint(v);
    }

    /** {@code np.linspace(0, stop, count)} element k, computed as numpy does ({@code k * step}, last = stop). */
    static double linspace(double stop, int count, int k) {
        if (k == count - 1) {
            return stop;
        }
        return k * (stop / (count - 1));
    }

    /** {@code np.round(np.arange(start, 0, -step)) - 1}, with numpy's length rule. */
    static long[] trailing(int start, double step) {
        int length = (int) Math.ceil((0 - start) / -step);
        long[] out = new long[length];
        for (int i = 0; i < length; i++) {
            out[i] = round(start - i * step) - 1;
        }
        return out;
    }
}

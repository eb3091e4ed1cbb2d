package dev.gpt4video.llm.generate;

import java.util.PriorityQueue;

/** Selecting the largest entries of a logits row without sorting all of it. */
final class TopTokens {
    private TopTokens() {
    }

    /**
     * A long that sorts ascending in order of descending value, then ascending id: the float's
     * bits mapped to a totally ordered int, negated, in the high word; the id in the low word.
     */
    static long sortKey(float value, int id) {
        int bits = Float.floatToIntBits(value);
        int ordered = bits >= 0 ? bits : bits ^ 0x7fffffff;
        return ((long) -(long) ordered << 32) + id;
    }

    static int idOf(long key) {
        return (int) (key & 0xffffffffL);
    }

    /** Ids of the {@code k} largest values, largest first, ties toward the lower id. */
    static int[] largest(float[] values, int k) {
        k = Math.min(k, values.length);
        // Max-heap on sort keys (largest key = weakest kept entry) of size k.
        PriorityQueue<Long> heap = new PriorityQueue<>(k + 1, (a, b) -> Long.compare(b, a));
        for (int i = 0; i < values.length; i++) {
            long key = sortKey(values[i], i);
            if (heap.size() < k) {
                heap.add(key);
            } else if (key < heap.peek()) {
                heap.poll();
                heap.add(key);
            }
        }
        int[] ids = new int[heap.size()];
        for (int j = ids.length - 1; j >= 0; j--) {
            ids[j] = idOf(heap.poll());
        }
        return ids;
    }

    /** Id of the largest value, the lowest id on ties; -1 for an empty row. */
    static int argmax(float[] values) {
        if (values.length == 0) {
            return -1;
        }
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}

package dev.gpt4video.llm.tokenizer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The merge loop both BPE flavours share. Symbols sit in a doubly linked list over arrays and
 * candidate pairs in a priority queue, so n symbols cost O(n log n) instead of a rescan of the
 * whole text per merge. Stale candidates (a side already merged elsewhere) are dropped when popped,
 * as SentencePiece does. Ties go to the leftmost pair.
 */
final class BpeMerger {
    /** What two adjacent symbols merge into, and how urgently: a higher priority merges first. */
    record Merge(int token, double priority) {}

    /** Decides whether the adjacent symbols {@code left} and {@code right} of {@code symbols} merge. */
    interface Rules {
        /** The merge, or null when the pair does not merge. */
        Merge find(BpeMerger symbols, int left, int right);
    }

    private record Candidate(int left, int right, int leftToken, int rightToken, Merge merge) {}

    private static final Comparator<Candidate> ORDER = Comparator
            .comparingDouble((Candidate c) -> -c.merge().priority())
            .thenComparingInt(Candidate::left);

    /** The token of each symbol; callers may use -1 for "not in the vocabulary". */
    int[] token;
    /** Where each symbol starts and ends (exclusive) in the caller's text. */
    int[] start;
    int[] end;
    private int[] next;
    private boolean[] frozen;
    private boolean[] alive;
    private int size;

    BpeMerger(int capacity) {
        int n = Math.max(capacity, 4);
        token = new int[n];
        start = new int[n];
        end = new int[n];
        next = new int[n];
        frozen = new boolean[n];
        alive = new boolean[n];
    }

    int size() {
        return size;
    }

    /** Appends a symbol; a frozen one (a user-defined piece) never merges with anything. */
    void add(int symbolToken, int symbolStart, int symbolEnd, boolean symbolFrozen) {
        if (size == token.length) {
            int n = size * 2;
            token = Arrays.copyOf(token, n);
            start = Arrays.copyOf(start, n);
            end = Arrays.copyOf(end, n);
            next = Arrays.copyOf(next, n);
            frozen = Arrays.copyOf(frozen, n);
            alive = Arrays.copyOf(alive, n);
        }
        token[size] = symbolToken;
        start[size] = symbolStart;
        end[size] = symbolEnd;
        frozen[size] = symbolFrozen;
        alive[size] = true;
        next[size] = -1;
        if (size > 0) {
            next[size - 1] = size;
        }
        size++;
    }

    /** Widens the last symbol to {@code newEnd}, e.g. to fuse a run of unknown characters. */
    void extendLast(int newEnd) {
        end[size - 1] = newEnd;
    }

    /** Runs merges until none applies; returns the surviving symbols' indices in text order. */
    int[] mergeAll(Rules rules) {
        int[] prev = new int[size];
        for (int i = 0; i < size; i++) {
            prev[i] = i - 1;
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>(Math.max(1, size), ORDER);
        for (int i = 1; i < size; i++) {
            offer(queue, rules, i - 1, i);
        }
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            int left = c.left();
            int right = c.right();
            if (!alive[left] || next[left] != right || token[left] != c.leftToken() || token[right] != c.rightToken()) {
                continue;
            }
            token[left] = c.merge().token();
            end[left] = end[right];
            alive[right] = false;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(queue, rules, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(queue, rules, left, next[left]);
            }
        }
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (alive[i]) {
                count++;
            }
        }
        int[] order = new int[count];
        for (int i = size == 0 ? -1 : 0, k = 0; i >= 0; i = next[i]) {
            order[k++] = i;
        }
        return order;
    }

    private void offer(PriorityQueue<Candidate> queue, Rules rules, int left, int right) {
        if (frozen[left] || frozen[right]) {
            return;
        }
        Merge merge = rules.find(this, left, right);
        if (merge != null) {
            queue.add(new Candidate(left, right, token[left], token[right], merge));
        }
    }
}

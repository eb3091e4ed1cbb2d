package dev.gpt4video.safety.text;

/** Maps a sentence to a unit-length embedding; cosine similarity is then a dot product. */
public interface SentenceEncoder extends AutoCloseable {
    String name();

    float[] embed(String text);

    @Override
    default void close() {
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

package dev.gpt4video.t2v.jobs;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Job ids: {@code video_} and 24 random hex digits; unguessable, and safe as a directory name. */
final class JobIds {
    private static final Pattern FORMAT = Pattern.compile("video_[0-9a-f]{24}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private JobIds() {
    }

    static String next() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return "video_" + HexFormat.of().formatHex(bytes);
    }

    static boolean isValid(String id) {
        return id != null && FORMAT.matcher(id).matches();
    }
}

package dev.gpt4video.t2v.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Lua scripts that change job state (resources beside this class, each run after
 * {@code prelude.lua}). Every state change of a job is one script, so it happens atomically with
 * the acknowledgement of its stream message and the event that announces it.
 */
final class RedisScripts {
    static final String SUBMIT = "submit";
    static final String START = "start";
    static final String HEARTBEAT = "heartbeat";
    static final String PROGRESS = "progress";
    static final String COMPLETE = "complete";
    static final String STOP = "stop";
    static final String RELEASE = "release";
    static final String CANCEL = "cancel";
    static final String DELETE = "delete";
    /** Not a job script: no prelude, its own keys and arguments. */
    static final String FORGET_CONSUMERS = "forget-consumers";

    private record Script(String text, String sha) {
    }

    private static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();

    private final RedisKeys keys;
    private final RedisJobSettings settings;

    RedisScripts(RedisKeys keys, RedisJobSettings settings) {
        this.keys = keys;
        this.settings = settings;
    }

    /**
     * Runs script {@code name} on job {@code id} of {@code backend}.
     *
     * @param consumer the worker's consumer name ({@code ""} on servers)
     * @param message  the job's stream message id ({@code ""} on servers)
     * @param extra    the script's own arguments (ARGV[7] on)
     * @return the script's reply: a status word, then whatever the script adds
     */
    List<String> run(RedisCommands<String, String> redis, String name, String id, String backend, long nowMillis,
                     String consumer, String message, String... extra) {
        Script script = script(name, true);
        String[] argv = new String[6 + extra.length];
        argv[0] = Long.toString(nowMillis);
        argv[1] = settings.group();
        argv[2] = consumer;
        argv[3] = message;
        argv[4] = Long.toString(settings.eventsMaxLength());
        argv[5] = id;
        System.arraycopy(extra, 0, argv, 6, extra.length);
        return run(redis, script, keys.forJob(id, backend), argv);
    }

    /** Removes consumers of {@code stream} that hold nothing and were idle for {@code idleMillis}; returns their names. */
    List<String> forgetConsumers(RedisCommands<String, String> redis, String stream, long idleMillis) {
        return run(redis, script(FORGET_CONSUMERS, false), new String[] {stream}, settings.group(),
                Long.toString(idleMillis));
    }

    private static List<String> run(RedisCommands<String, String> redis, Script script, String[] k, String... argv) {
        List<Object> reply;
        try {
            reply = redis.evalsha(script.sha(), ScriptOutputType.MULTI, k, argv);
        } catch (RedisNoScriptException e) {
            // First use on this Redis, or it restarted: EVAL sends the text and caches it again.
            reply = redis.eval(script.text(), ScriptOutputType.MULTI, k, argv);
        }
        List<String> out = new ArrayList<>(reply.size());
        for (Object o : reply) {
            out.add(o == null ? null : o.toString());
        }
        return out;
    }

    private static Script script(String name, boolean prelude) {
        return SCRIPTS.computeIfAbsent(name, n -> {
            String text = (prelude ? resource("prelude.lua") + "\n" : "") + resource(n + ".lua");
            return new Script(text, sha1(text));
        });
    }

    private static String resource(String file) {
        try (InputStream in = RedisScripts.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

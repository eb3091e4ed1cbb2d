package dev.gpt4video.t2v.redis;

/**
 * The key layout, spelled out once ({@code P} is the key prefix; {@code docs/distributed.md} has
 * the same table):
 *
 * <pre>
 * P:jobs:BACKEND   stream  one message per submitted job, field "job" = job id; read by the
 *                          consumer group of the workers that run BACKEND
 * P:queue:BACKEND  zset    ids of jobs waiting for BACKEND, scored by submission order
 * P:job:ID         hash    the job's state (fields in {@link JobHash})
 * P:events         stream  every state change and progress step, with the job's fields
 * P:index          zset    every job id, scored by creation time (ms)
 * P:finished       zset    ids of finished jobs, scored by finish time (ms), for the TTL sweep
 * P:bytes          hash    video bytes of each completed job, for the quota sweep
 * P:seq            string  submission counter
 * P:backends       hash    backend name → capabilities JSON, written by workers
 * P:default-backend string the default backend of the workers' manifest
 * P:sweep-lock     string  held (with an expiry) by the one worker sweeping
 * </pre>
 *
 * <p>Scripts touch several of these keys at once, so they must live on one Redis (a primary with
 * replicas or Sentinel is fine; Redis Cluster is not supported).
 */
record RedisKeys(String prefix) {

    String stream(String backend) {
        return prefix + ":jobs:" + backend;
    }

    String queue(String backend) {
        return prefix + ":queue:" + backend;
    }

    String job(String id) {
        return prefix + ":job:" + id;
    }

    String events() {
        return prefix + ":events";
    }

    String index() {
        return prefix + ":index";
    }

    String finished() {
        return prefix + ":finished";
    }

    String bytes() {
        return prefix + ":bytes";
    }

    String sequence() {
        return prefix + ":seq";
    }

    String backends() {
        return prefix + ":backends";
    }

    String defaultBackend() {
        return prefix + ":default-backend";
    }

    String sweepLock() {
        return prefix + ":sweep-lock";
    }

    /** The keys every job script gets, in the order {@code prelude.lua} names them. */
    String[] forJob(String id, String backend) {
        return new String[] {job(id), stream(backend), queue(backend), events(), index(), finished(), bytes(),
                sequence()};
    }
}

/**
 * Redis stores for several queue nodes that act as one queue: {@link dev.ttsqueue.store.redis.RedisJobStore}
 * (jobs, with a change feed between nodes), {@link dev.ttsqueue.store.redis.RedisAudioStore} (uploads
 * and outputs) and {@link dev.ttsqueue.store.redis.RedisVoiceBank} (permanent voices), configured by
 * {@link dev.ttsqueue.store.redis.RedisConfig}. Everything here is thread-safe; an unreachable Redis
 * is reported as {@link dev.ttsqueue.StoreUnavailableException}, a refusal by Redis as
 * {@link dev.ttsqueue.store.redis.RedisStoreException}.
 */
package dev.ttsqueue.store.redis;

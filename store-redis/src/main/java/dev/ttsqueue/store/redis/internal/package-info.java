/**
 * How the Redis stores talk to Redis: the Lettuce connections and error translation, key names,
 * the encoding of jobs into hash fields, run keys, the Lua scripts and the change channel. Not
 * part of the API: anything here may change between versions.
 */
package dev.ttsqueue.store.redis.internal;

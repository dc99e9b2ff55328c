/** How the SQLite store opens its file, runs transactions, groups commits and mirrors its queue; not API. */
package dev.ttsqueue.store.sqlite.internal;

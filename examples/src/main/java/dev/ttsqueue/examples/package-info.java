/** Small programs to copy from; each has a test that runs it. */
package dev.ttsqueue.examples;

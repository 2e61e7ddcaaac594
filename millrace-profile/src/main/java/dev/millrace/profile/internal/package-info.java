/**
 * How TensorBoard event files are named, built and decoded: the file name TensorFlow uses, the
 * {@code tensorflow.Event} messages for the file version, scalars and session starts, and the rules
 * for what counts as a scalar when reading.
 *
 * <p>Not exported: nothing here is API. Everything written here must serialize to the same bytes as
 * TensorFlow's own writer for the same event.
 */
package dev.millrace.profile.internal;

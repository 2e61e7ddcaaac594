/**
 * The Chrome trace-event timeline behind {@link dev.millrace.profile.TraceRecorder}: the bounded
 * event buffer with its thread-to-track table, the nesting repair and the JSON writer.
 *
 * <p>Invariants: a trace never holds more events or (estimated) bytes than its caps; every track
 * has a {@code thread_name} and belongs to one thread name; the slices of one track nest (disjoint
 * or contained) in the written file, whatever the recorded times; files are replaced atomically.
 */
package dev.millrace.profile.internal.trace;

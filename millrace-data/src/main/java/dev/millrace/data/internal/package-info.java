/**
 * The pipeline engine behind {@link dev.millrace.data.Dataset}. An {@link
 * dev.millrace.data.internal.Op} is the immutable description of one stage; opening it makes a
 * {@link dev.millrace.data.internal.Node}, the running stage of one iterator.
 *
 * <p>Invariants: nodes are pulled by one thread at a time ({@code null} means end of sequence);
 * element errors leave a node able to go on (so that {@code ignoreErrors} can skip them); threads
 * cross only at prefetch, parallel map and interleave, and hand over chunks of elements through
 * bounded buffers, never single elements or per-element locks; every buffered chunk is charged to
 * its stage's share of the RAM budget before it becomes visible, and the shares sum to at most the
 * budget; every thread comes from the iterator's {@link dev.millrace.data.internal.WorkerPool},
 * which joins them all on close; asynchronous nodes start their workers on the first pull, so
 * {@code skip} (checkpoint restore) runs before any thread exists.
 *
 * <p>One rewrite happens at open time: a parallel {@code map} followed by a built-in {@code batch}
 * runs as one stage whose workers also stack the batches ({@link
 * dev.millrace.data.internal.MapBatchFusion}), unless an {@code ignoreErrors} downstream could tell
 * the difference. Both stages keep their names and statistics.
 */
package dev.millrace.data.internal;

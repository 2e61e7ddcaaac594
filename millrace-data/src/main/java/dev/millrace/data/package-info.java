/**
 * The input pipeline: {@link dev.millrace.data.Dataset} and its transformations (tf.data's, with
 * their semantics), Example decoding ({@link dev.millrace.data.ExampleSpec}), image decoding and
 * seeded augmentation ({@link dev.millrace.data.Images}, {@link dev.millrace.data.Augment}),
 * statistics ({@link dev.millrace.data.PipelineStats}) and checkpoints.
 *
 * <p>Invariants: a {@code Dataset} is an immutable description and starts nothing; an iterator owns
 * every thread it starts and joins them all on close; elements are never null; with a seed, the
 * elements and their order do not depend on thread count or timing (unless determinism is turned
 * off); buffered bytes never exceed {@link dev.millrace.data.Options#ramBudget()}; failures reach
 * the consumer's thread as {@link dev.millrace.data.PipelineException} naming the stage, the
 * element and, for records, file and offset; value types ({@code Features}, {@code Batch}, {@code
 * TfRecord}) are immutable maps or copies, while the tensors they hold are shared, not copied.
 */
package dev.millrace.data;

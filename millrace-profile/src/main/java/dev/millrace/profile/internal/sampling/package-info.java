/**
 * How the utilisation and GPU samplers read the machine: parsers of {@code /proc} files and of
 * {@code nvidia-smi}'s CSV answer (pure functions of the text, tested on recorded contents), the
 * bounded sample ring, the sampler thread's fixed-rate loop and the runner of short-lived commands.
 *
 * <p>Invariants: memory does not grow with the run's length (rings and running aggregates only);
 * each sampler owns one named daemon thread, stopped and joined by its close; no child process
 * outlives the sample that started it; a parser rejects what it cannot read with a message naming
 * the file or line and the field, never by returning made-up values.
 */
package dev.millrace.profile.internal.sampling;

/**
 * Profiling and diagnosis of training jobs. Everything that runs beside a job keeps bounded memory:
 * samples are kept in fixed-size rings or aggregated, traces stop after a configured number of
 * steps, event files are written through a fixed buffer. Readers of finished files hold what they
 * read.
 *
 * <p>TensorBoard event files ({@link dev.millrace.profile.TensorBoardWriter}) are written in the
 * bytes TensorFlow's own writer produces for the same events, and read back ({@link
 * dev.millrace.profile.EventFileReader}) whichever of the two scalar forms they use.
 */
package dev.millrace.profile;

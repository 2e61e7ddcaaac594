/**
 * Profiling and diagnosis of training jobs. Everything here keeps bounded memory: samples are kept
 * in fixed-size rings or aggregated, traces stop after a configured number of steps.
 */
package dev.millrace.profile;

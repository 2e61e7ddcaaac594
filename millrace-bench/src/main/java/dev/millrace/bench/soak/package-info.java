/**
 * The soak: one long job (pipeline and training in one process) watched from outside, its resident
 * memory, threads and open file handles sampled at a fixed interval, to show that nothing grows
 * with the hours a job runs.
 */
package dev.millrace.bench.soak;

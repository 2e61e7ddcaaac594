/**
 * JMH benchmarks. Every comparison runs its baseline in the same JMH run (same machine, same
 * moment), because these machines are shared and an absolute figure alone means little; results and
 * the commands that reproduce them are in docs/benchmarks.md.
 */
package dev.millrace.bench;

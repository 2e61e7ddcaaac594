/**
 * The {@code millrace} command and its subcommands. Invariants: every command exits 0 on success
 * and non-zero with one line on standard error otherwise (1 for bad data or a failed check, 2 for a
 * usage error); results go to standard output, progress and errors to standard error, so that
 * {@code --json} output can be piped.
 */
package dev.millrace.cli;

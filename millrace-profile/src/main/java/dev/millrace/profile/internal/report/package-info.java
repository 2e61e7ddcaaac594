/**
 * How {@link dev.millrace.profile.HtmlReport} makes its page. Invariants: every text from the data
 * reaches the page either HTML-escaped ({@link dev.millrace.profile.internal.report.Html}) or
 * inside the JSON block with {@code <}, {@code >} and {@code &} written as JSON unicode escapes, so
 * no value can end an element or a script; series are cut down to a bounded number of points before
 * they are written, so the page's size does not grow with the length of the run.
 */
package dev.millrace.profile.internal.report;

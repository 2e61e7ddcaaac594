/**
 * Test support shared by the modules' tests. {@link dev.millrace.testkit.TestData} finds the files
 * that TensorFlow wrote under {@code testdata/tensorflow/}, so that tests read them by a path
 * relative to that folder and fail, naming the path, when one is missing; {@link
 * dev.millrace.testkit.FuzzInputs} turns a fuzzer's bytes into the files and streams readers take.
 */
package dev.millrace.testkit;

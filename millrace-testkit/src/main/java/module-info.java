/** Test support: the repository's test data, found from any working directory. */
module dev.millrace.testkit {
  exports dev.millrace.testkit;
}

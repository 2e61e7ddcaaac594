/** The {@code millrace} command line: the only place that calls {@code System.exit}. */
module dev.millrace.cli {
  requires dev.millrace.records;
  requires dev.millrace.convert;
  requires info.picocli;

  opens dev.millrace.cli to
      info.picocli;
}

/** The {@code millrace} command line: the only place that calls {@code System.exit}. */
module dev.millrace.cli {
  requires dev.millrace.records;
  requires dev.millrace.convert;
  requires dev.millrace.data;
  requires dev.millrace.graph;
  requires dev.millrace.nn;
  requires dev.millrace.profile;
  requires dev.millrace.graphdef;
  requires info.picocli;

  opens dev.millrace.cli to
      info.picocli;
}

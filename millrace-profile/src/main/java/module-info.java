/**
 * Where the time of a training job goes: the step profiler, utilisation samplers, TensorBoard event
 * files, trace timelines, the HTML report and the bottleneck doctor.
 */
module dev.millrace.profile {
  requires transitive dev.millrace.records;
  requires transitive dev.millrace.data;
  requires transitive dev.millrace.graph;
  requires transitive dev.millrace.nn;
  requires jdk.management;

  exports dev.millrace.profile;
}

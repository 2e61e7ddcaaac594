package dev.millrace.bench.tensorflow;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/** Sessions with a stated thread count, the one knob every TensorFlow comparison point sets. */
final class TfSessions {
  private TfSessions() {}

  /**
   * A session whose intra-op and inter-op pools both have {@code threads} threads.
   *
   * <p>TensorFlow sizes its CPU pools once per process, from the first session's options: a second
   * session asking for another size is silently given the first one's pools. So every benchmark
   * runs one thread setting per JVM (a JMH {@code @Param} with its own fork).
   */
  static Session open(Graph graph, int threads) {
    return open(graph, threads, threads);
  }

  /** A session with {@code interOp} inter-op and {@code intraOp} intra-op threads. */
  static Session open(Graph graph, int interOp, int intraOp) {
    if (interOp < 1 || intraOp < 1) {
      throw new IllegalArgumentException(
          "threads: " + interOp + " inter-op, " + intraOp + " intra-op (expected >= 1)");
    }
    ConfigProto config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(intraOp)
            .setInterOpParallelismThreads(interOp)
            .build();
    return new Session(graph, config);
  }
}

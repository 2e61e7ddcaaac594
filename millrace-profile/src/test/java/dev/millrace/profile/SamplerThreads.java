package dev.millrace.profile;

import java.util.List;

/** The live threads whose names start with a prefix: a sampler must leave none behind. */
final class SamplerThreads {
  private SamplerThreads() {}

  static List<String> alive(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith(prefix))
        .toList();
  }
}

package dev.millrace.convert;

/** The listener behind {@link ProgressListener#none()}; an enum so that there is exactly one. */
enum NoProgress implements ProgressListener {
  INSTANCE;

  @Override
  public void begin(String task, long totalUnits) {}

  @Override
  public void advance(long units) {}

  @Override
  public void end() {}
}

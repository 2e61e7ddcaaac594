package dev.millrace.records;

/** Reads the caps that readers put on sizes claimed by a file, overridable by system properties. */
public final class SizeLimits {
  private SizeLimits() {}

  /**
   * The value of the system property {@code property}, or {@code defaultValue} when it is unset.
   *
   * @param what what the value counts, for the error ("a byte count", "a count")
   * @throws IllegalArgumentException if the property is not a number {@code >= 0}
   */
  public static long fromProperty(String property, long defaultValue, String what) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(value.strip());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(property + "=" + value + " (expected " + what + " >= 0)");
  }
}

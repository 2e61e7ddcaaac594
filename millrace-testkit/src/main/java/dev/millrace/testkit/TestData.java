package dev.millrace.testkit;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where the repository's test data lies: the files written by TensorFlow under {@code
 * testdata/tensorflow/}, and the bad-input corpus under {@code testdata/bad-input/}.
 *
 * <p>Maven's test runs set the system property {@value #PROPERTY} to the repository's {@code
 * testdata} folder, so every module finds the same folder whatever its working directory. Without
 * the property (a test started from an IDE) the folder is found by walking up from the working
 * directory. A folder or file that is not there fails the test with the path that was looked for:
 * these files belong to the repository, so their absence is a broken checkout, never a reason to
 * skip.
 */
public final class TestData {
  /** The system property naming the repository's {@code testdata} folder. */
  public static final String PROPERTY = "millrace.testdata";

  private static final String TESTDATA = "testdata";
  private static final String TENSORFLOW = "tensorflow";
  private static final String BAD_INPUT = "bad-input";

  private TestData() {}

  /**
   * The folder of files written by TensorFlow, {@code testdata/tensorflow}, as an absolute path.
   *
   * @throws IllegalStateException if the folder cannot be found
   */
  public static Path tensorflowDir() {
    return tensorflowDir(System.getProperty(PROPERTY), Path.of(System.getProperty("user.dir")));
  }

  /**
   * The file (or folder) at {@code relative} under {@code testdata/tensorflow}, e.g. {@code
   * "records/fashion-train-500.tfrecord"}, as an absolute path.
   *
   * @throws IllegalArgumentException if {@code relative} is empty, absolute or leads outside the
   *     folder
   * @throws IllegalStateException if the folder or the file is not there
   */
  public static Path tensorflow(String relative) {
    return existing(tensorflowDir(), relative);
  }

  /**
   * The bad-input corpus, {@code testdata/bad-input}: files broken or lying on purpose, and the
   * table of what each command must say about them, as an absolute path.
   *
   * @throws IllegalStateException if the folder cannot be found
   */
  public static Path badInputDir() {
    return folder(BAD_INPUT, System.getProperty(PROPERTY), Path.of(System.getProperty("user.dir")));
  }

  /**
   * {@code testdata/tensorflow} from the property's value if set, else above {@code workingDir}.
   */
  static Path tensorflowDir(String property, Path workingDir) {
    return folder(TENSORFLOW, property, workingDir);
  }

  /** {@code testdata/<name>} from the property's value if set, else above {@code workingDir}. */
  static Path folder(String name, String property, Path workingDir) {
    if (property != null && !property.isBlank()) {
      // The property is set only by the build, which knows the repository: a wrong value is a
      // broken build, reported as such rather than papered over by a search.
      Path dir = Path.of(property).toAbsolutePath().normalize().resolve(name);
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(
            "test data folder "
                + dir
                + " does not exist (system property "
                + PROPERTY
                + "="
                + property
                + ")");
      }
      return dir;
    }
    Path start = workingDir.toAbsolutePath().normalize();
    for (Path d = start; d != null; d = d.getParent()) {
      Path candidate = d.resolve(TESTDATA).resolve(name);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no folder "
            + TESTDATA
            + "/"
            + name
            + " in "
            + start
            + " or any folder above it (system property "
            + PROPERTY
            + " is not set)");
  }

  /** {@code relative} resolved in {@code dir}; it must stay inside {@code dir} and exist. */
  static Path existing(Path dir, String relative) {
    Path base = dir.toAbsolutePath().normalize();
    Path path;
    try {
      path = base.resolve(relative).normalize();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("not a path: \"" + relative + "\"", e);
    }
    if (relative.isEmpty() || Path.of(relative).isAbsolute() || !path.startsWith(base)) {
      throw new IllegalArgumentException(
          "test data path must be relative to " + base + " and inside it: \"" + relative + "\"");
    }
    if (!Files.exists(path)) {
      throw new IllegalStateException("test data file " + path + " does not exist");
    }
    return path;
  }
}

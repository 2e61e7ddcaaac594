package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.millrace.records.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kill -9} of {@code millrace convert} at random points, all into one output folder as a
 * user rerunning after a crash would: at startup, while shards are written into staging, and while
 * they are moved out. After every kill, nothing partial is visible; the rerun cleans up what the
 * dead runs left and writes the uninterrupted run's bytes.
 */
@Tag("slow")
class ConvertKillTest {
  private static final int KILLS = 6;
  private static final String STAGING = ".millrace-staging-";

  @TempDir Path tmp;

  /** The phases a kill is aimed at, in the order the kills take them (the last one writing). */
  private enum Phase {
    COMMITTING,
    ANY_TIME,
    WRITING
  }

  static List<Long> seeds() {
    return KillPoints.seeds(20261205L);
  }

  @ParameterizedTest(name = "kill seed {0}")
  @MethodSource("seeds")
  void convertKilledAtRandomPointsLeavesNothingPartialAndTheRerunWritesTheSameBytes(long seed)
      throws Exception {
    Path idx = tmp.resolve("idx");
    IdxFiles.write(idx, "train", 4000);
    IdxFiles.write(idx, "t10k", 1000);

    Path reference = tmp.resolve("reference");
    ChildCli whole = ChildCli.start(tmp.resolve("reference.log"), convert(idx, reference));
    assertThat(whole.await(120)).as(whole.output()).isZero();
    long wholeMillis = whole.elapsedMillis();
    Map<String, byte[]> expected = contents(reference);
    int shards = expected.size() - 1;
    assertThat(shards).as("shards of the reference run").isGreaterThan(20);

    Random random = new Random(seed);
    Path out = tmp.resolve("out");
    Set<Long> killed = new TreeSet<>();
    List<String> story = new ArrayList<>();
    story.add("seed " + seed + ", " + shards + " shards, uninterrupted run " + wholeMillis + " ms");
    for (int i = 0; i < KILLS; i++) {
      Phase phase = Phase.values()[i % Phase.values().length];
      ChildCli child = ChildCli.start(tmp.resolve("kill-" + i + ".log"), convert(idx, out));
      String aim;
      BooleanSupplier reached;
      switch (phase) {
        case ANY_TIME -> {
          long at = random.nextLong(wholeMillis);
          aim = "at " + at + " ms";
          reached = () -> child.elapsedMillis() >= at;
        }
        case WRITING -> {
          int written = 1 + random.nextInt(shards - 1);
          aim = "once " + written + " shards are in staging";
          reached = () -> stagingEntries(out, child.pid()) >= written;
        }
        case COMMITTING -> {
          int moved = random.nextInt(shards + 1);
          aim = "once the manifest is staged and " + moved + " shards are moved out";
          reached = () -> isCommitting(out, child.pid(), shards - moved);
        }
        default -> throw new AssertionError(phase);
      }
      boolean hit = KillPoints.awaitWhileAlive(child, reached);
      int exit = child.kill();
      killed.add(child.pid());
      story.add(
          String.format(
              "kill %d (%s): %s, %s at %d ms, exit %d; left %s",
              i,
              phase,
              aim,
              hit ? "killed" : "ended before the point",
              child.elapsedMillis(),
              exit,
              summary(out)));
      String context = String.join("\n", story) + "\nlog:\n" + child.output();
      assertThat(exit).as(context).isIn(ChildCli.KILLED, 0);
      assertNothingPartialVisible(out, expected, killed, context);
    }
    System.out.println(String.join("\n", story));
    String context = String.join("\n", story);
    assertThat(stagingFolders(out))
        .as("the kills left staging folders for the rerun to remove\n%s", context)
        .isNotEmpty();

    CliRunner rerun = CliRunner.run(convert(idx, out).toArray(String[]::new));
    assertThat(rerun.exit()).as(rerun.err()).isZero();

    assertThat(listing(out)).as(context).containsExactlyElementsOf(expected.keySet());
    Map<String, byte[]> actual = contents(out);
    for (String name : expected.keySet()) {
      assertThat(actual.get(name)).as(name + "\n" + context).isEqualTo(expected.get(name));
    }
  }

  private static List<String> convert(Path input, Path output) {
    return List.of(
        "convert",
        "--from",
        "idx",
        "--input",
        input.toString(),
        "--output",
        output.toString(),
        "--shard-size",
        "64KiB",
        "--threads",
        "2");
  }

  /**
   * The only hidden entries are staging folders of killed runs; every visible file is one of the
   * uninterrupted run's, byte for byte (so complete); a visible manifest comes with all its shards.
   */
  private static void assertNothingPartialVisible(
      Path out, Map<String, byte[]> expected, Set<Long> killed, String context) throws IOException {
    List<String> names = listing(out);
    for (String name : names) {
      Path p = out.resolve(name);
      if (name.startsWith(STAGING)) {
        assertThat(p).as(context).isDirectory();
        assertThat(killed).as(name + "\n" + context).contains(stagingPid(name));
      } else if (!expected.containsKey(name)) {
        fail("unexpected %s in the output folder\n%s", name, context);
      } else {
        assertThat(Files.readAllBytes(p))
            .as("%s is not the complete file\n%s", name, context)
            .isEqualTo(expected.get(name));
      }
    }
    if (names.contains(Manifest.FILE_NAME)) {
      assertThat(names).as(context).containsAll(expected.keySet());
    }
  }

  /** Entries in the staging folder of process {@code pid}: shards written so far. */
  private static int stagingEntries(Path out, long pid) {
    Path staging = stagingOf(out, pid);
    return staging == null ? 0 : listing(staging).size();
  }

  /**
   * The manifest is in {@code pid}'s staging folder, with at most {@code left} shards beside it.
   */
  private static boolean isCommitting(Path out, long pid, int left) {
    Path staging = stagingOf(out, pid);
    if (staging == null) {
      return false;
    }
    List<String> names = listing(staging);
    return names.contains(Manifest.FILE_NAME) && names.size() - 1 <= left;
  }

  private static Path stagingOf(Path out, long pid) {
    return listing(out).stream()
        .filter(n -> n.startsWith(STAGING + pid + "-"))
        .findFirst()
        .map(out::resolve)
        .orElse(null);
  }

  private static List<String> stagingFolders(Path out) {
    return listing(out).stream().filter(n -> n.startsWith(STAGING)).toList();
  }

  private static long stagingPid(String name) {
    String rest = name.substring(STAGING.length());
    return Long.parseLong(rest.substring(0, rest.indexOf('-')));
  }

  private static String summary(Path out) {
    List<String> names = listing(out);
    long visibleShards = names.stream().filter(n -> n.contains(".tfrecord")).count();
    return visibleShards
        + " visible shards, "
        + (names.contains(Manifest.FILE_NAME) ? "a manifest" : "no manifest")
        + ", "
        + stagingFolders(out).size()
        + " staging folders";
  }

  /** Every name in the folder, hidden ones included; empty while it does not exist. */
  private static List<String> listing(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      return List.of(); // not there yet, or removed while listed: the child is mid-way
    }
  }

  private static Map<String, byte[]> contents(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    for (String name : listing(dir)) {
      files.put(name, Files.readAllBytes(dir.resolve(name)));
    }
    return files;
  }
}

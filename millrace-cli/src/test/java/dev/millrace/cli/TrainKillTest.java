package dev.millrace.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.graph.Checkpoint;
import dev.millrace.nn.TrainingCheckpoint;
import dev.millrace.records.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kill -9} of {@code millrace train} at random points, each killed run resumed by the next
 * ({@code --resume}, one checkpoint folder), as a user restarting a job on a machine that keeps
 * dying would: at random times, mid-epoch after a random step, and while a checkpoint is being
 * written. After every kill the folder holds a complete checkpoint or none and nothing partial
 * under a visible name; the last resume ends with the uninterrupted run's variables file, byte for
 * byte, and its per-epoch losses and accuracies, which a lost or repeated record would change.
 */
@Tag("slow")
class TrainKillTest {
  private static final int KILLS = 6;
  private static final int EPOCHS = 3;
  private static final int STEPS = EPOCHS * 640 / 32;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  /** The phases a kill is aimed at, in the order the kills take them. */
  private enum Phase {
    ANY_TIME,
    AFTER_STEP,
    DURING_CHECKPOINT_WRITE
  }

  static List<Long> seeds() {
    return KillPoints.seeds(20261206L);
  }

  @ParameterizedTest(name = "kill seed {0}")
  @MethodSource("seeds")
  void trainKilledAtRandomPointsAndResumedEndsWithTheUninterruptedRunsWeights(long seed)
      throws Exception {
    Path idx = tmp.resolve("idx");
    IdxFiles.write(idx, "train", 640);
    IdxFiles.write(idx, "t10k", 64);
    Path data = tmp.resolve("data");
    CliRunner convert =
        CliRunner.run(
            "convert", "--from", "idx", "--input", idx.toString(), "--output", data.toString());
    assertThat(convert.exit()).as(convert.err()).isZero();

    Path whole = tmp.resolve("whole");
    ChildCli uninterrupted = ChildCli.start(tmp.resolve("whole.log"), train(data, whole));
    assertThat(uninterrupted.await(300)).as(uninterrupted.output()).isZero();
    long wholeMillis = uninterrupted.elapsedMillis();

    Random random = new Random(seed);
    Path cut = tmp.resolve("cut");
    Set<Long> killed = new TreeSet<>();
    List<String> story = new ArrayList<>();
    story.add("seed " + seed + ", " + STEPS + " steps, uninterrupted run " + wholeMillis + " ms");
    int midWrite = 0;
    for (int i = 0; i < KILLS; i++) {
      Phase phase = Phase.values()[i % Phase.values().length];
      // The i-th kill aims at a step in the i-th of KILLS equal parts of the run, so that the
      // killed runs get through the whole of it and the last resume still has steps to train.
      int part = (STEPS - 2) / KILLS;
      long step = 1 + (long) i * part + random.nextInt(part);
      ChildCli child = ChildCli.start(tmp.resolve("kill-" + i + ".log"), train(data, cut));
      String aim;
      BooleanSupplier reached;
      switch (phase) {
        case ANY_TIME -> {
          long at = random.nextLong(wholeMillis);
          aim = "at " + at + " ms or at the checkpoint of step " + step;
          reached = () -> child.elapsedMillis() >= at || savedStep(cut) >= step;
        }
        case AFTER_STEP -> {
          long delay = random.nextInt(20);
          aim = delay + " ms after the checkpoint of step " + step;
          long[] seenAt = {-1};
          reached =
              () -> {
                if (seenAt[0] < 0 && savedStep(cut) >= step) {
                  seenAt[0] = child.elapsedMillis();
                }
                return seenAt[0] >= 0 && child.elapsedMillis() >= seenAt[0] + delay;
              };
        }
        case DURING_CHECKPOINT_WRITE -> {
          aim = "while writing the first checkpoint after step " + step;
          // A write too quick to be seen (a fast disk) still gets its kill, a step later.
          reached =
              () -> {
                long saved = savedStep(cut);
                return saved >= step
                    && (!temporaries(cut, child.pid()).isEmpty() || saved >= step + 2);
              };
        }
        default -> throw new AssertionError(phase);
      }
      boolean hit = KillPoints.awaitWhileAlive(child, reached);
      int exit = child.kill();
      killed.add(child.pid());
      List<String> left = temporaries(cut, child.pid());
      midWrite += left.isEmpty() ? 0 : 1;
      story.add(
          String.format(
              "kill %d (%s): %s, %s at %d ms, exit %d; checkpoint of step %d%s",
              i,
              phase,
              aim,
              hit ? "killed" : "ended before the point",
              child.elapsedMillis(),
              exit,
              savedStep(cut),
              left.isEmpty() ? "" : ", mid-write: " + left));
      String context = String.join("\n", story) + "\nlog:\n" + child.output();
      assertThat(exit).as(context).isIn(ChildCli.KILLED, 0);
      assertOnlyCompleteCheckpointsVisible(cut, killed, context);
    }
    story.add(midWrite + " of " + KILLS + " kills landed in the middle of a checkpoint write");
    System.out.println(String.join("\n", story));
    String context = String.join("\n", story);
    long resumedAt = savedStep(cut);
    assertThat(resumedAt).as("the kills let the run get somewhere\n%s", context).isPositive();

    List<String> args = new ArrayList<>(train(data, cut));
    args.add("--json");
    CliRunner resumed = CliRunner.run(args.toArray(String[]::new));
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.err()).as(context).contains("resuming at epoch");
    assertThat(JSON.readTree(resumed.out()).get("steps").asLong())
        .as("steps trained by the last resume\n%s", context)
        .isEqualTo(STEPS - resumedAt);

    assertThat(listing(cut)).as(context).containsExactlyElementsOf(listing(whole));
    for (String name : listing(whole)) {
      if (name.endsWith(".mrckpt")) {
        assertThat(Files.readAllBytes(cut.resolve(name)))
            .as("%s\n%s", name, context)
            .isEqualTo(Files.readAllBytes(whole.resolve(name)));
      }
    }
    assertThat(withoutTimings(cut)).as(context).isEqualTo(withoutTimings(whole));
  }

  private static List<String> train(Path data, Path checkpoints) {
    return List.of(
        "train",
        "--data",
        data.toString(),
        "--model",
        "linear",
        "--batch",
        "32",
        "--epochs",
        String.valueOf(EPOCHS),
        "--shuffle-buffer",
        "200",
        "--seed",
        "7",
        "--checkpoint-dir",
        checkpoints.toString(),
        "--checkpoint-every",
        "1",
        "--resume");
  }

  /**
   * Visible files are {@code checkpoint.json} and variables files only, each complete (the JSON
   * parses and names a variables file; every variables file passes its CRC); hidden files are
   * temporary files of killed runs only.
   */
  private static void assertOnlyCompleteCheckpointsVisible(
      Path dir, Set<Long> killed, String context) throws IOException {
    for (String name : listing(dir)) {
      Path p = dir.resolve(name);
      if (name.startsWith(".")) {
        OptionalLong writer = AtomicFiles.writerOf(p);
        assertThat(writer).as("%s\n%s", name, context).isPresent();
        assertThat(killed).as("%s\n%s", name, context).contains(writer.getAsLong());
      } else if (name.equals(TrainingCheckpoint.STATE_FILE)) {
        JsonNode state = JSON.readTree(p.toFile());
        String variables = state.path("variables").asText();
        assertThat(dir.resolve(variables)).as(context).isRegularFile();
      } else if (name.startsWith("variables-") && name.endsWith(".mrckpt")) {
        assertThat(Checkpoint.read(p)).as(context).isNotEmpty();
      } else {
        fail("unexpected %s in the checkpoint folder\n%s", name, context);
      }
    }
  }

  /** The global step of the checkpoint in {@code dir}; 0 while there is none. */
  private static long savedStep(Path dir) {
    try {
      return JSON.readTree(dir.resolve(TrainingCheckpoint.STATE_FILE).toFile())
          .path("global_step")
          .asLong();
    } catch (IOException e) {
      return 0; // none yet
    }
  }

  /** Temporary files of process {@code pid} in {@code dir}: a checkpoint write under way. */
  private static List<String> temporaries(Path dir, long pid) {
    return listing(dir).stream()
        .filter(n -> AtomicFiles.writerOf(dir.resolve(n)).orElse(-1) == pid)
        .toList();
  }

  /** {@code checkpoint.json} without the fields that measure time. */
  private static JsonNode withoutTimings(Path dir) throws IOException {
    JsonNode state = JSON.readTree(dir.resolve(TrainingCheckpoint.STATE_FILE).toFile());
    for (JsonNode epoch : state.path("history")) {
      ((ObjectNode) epoch).remove(List.of("images_per_sec", "train_seconds"));
    }
    ((ObjectNode) state.path("partial")).remove(List.of("wait_nanos", "compute_nanos"));
    return state;
  }

  private static List<String> listing(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      return List.of(); // not created yet
    }
  }
}

package dev.millrace.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.millrace.graph.Checkpoint;
import dev.millrace.graph.Session;
import dev.millrace.records.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A training checkpoint in a folder: {@code variables-<step>.mrckpt} (every variable of the graph,
 * the optimizer's slots and step counter included, CRC-checked) and {@code checkpoint.json} (the
 * {@link TrainingState}, which names the variables file).
 *
 * <p>Both are written under hidden temporary names, forced to disk and renamed ({@link
 * AtomicFiles}); the JSON last, so that it always names a complete variables file: a run killed
 * while saving leaves the previous checkpoint intact and no partial file under a visible name.
 * Older variables files are removed after the JSON moved on; the temporary files of a writer that
 * was killed (their names carry its process id) are removed by the next save or read.
 */
public final class TrainingCheckpoint {
  public static final String STATE_FILE = "checkpoint.json";
  private static final String PREFIX = "variables-";
  private static final String SUFFIX = ".mrckpt";
  private static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainingCheckpoint() {}

  /** Writes the session's variables and {@code state} to {@code dir}; returns the JSON file. */
  public static Path save(Path dir, Session session, TrainingState state) throws IOException {
    Files.createDirectories(dir);
    AtomicFiles.removeAbandonedTemporaries(dir);
    String variables = PREFIX + String.format("%010d", state.globalStep()) + SUFFIX;
    AtomicFiles.write(dir.resolve(variables), out -> Checkpoint.write(session, out));
    Path json = dir.resolve(STATE_FILE);
    byte[] bytes =
        JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(state, variables));
    AtomicFiles.write(json, out -> out.write(bytes));
    removeOtherVariables(dir, variables);
    return json;
  }

  /** The state saved in {@code dir}, or empty when the folder holds no checkpoint. */
  public static Optional<TrainingState> read(Path dir) throws IOException {
    AtomicFiles.removeAbandonedTemporaries(dir);
    Path json = dir.resolve(STATE_FILE);
    if (!Files.isRegularFile(json)) {
      return Optional.empty();
    }
    return Optional.of(fromJson(parse(json), json));
  }

  /** Sets the session's variables from the checkpoint in {@code dir} (checked first). */
  public static void restore(Path dir, Session session) throws IOException {
    Path json = dir.resolve(STATE_FILE);
    String variables = text(parse(json), "variables", json);
    Path file = dir.resolve(variables);
    if (!Files.isRegularFile(file)) {
      throw new IOException(json + ": names " + variables + ", which is missing");
    }
    Checkpoint.restore(session, file);
  }

  private static JsonNode parse(Path json) throws IOException {
    try {
      JsonNode root = JSON.readTree(Files.readAllBytes(json));
      if (root == null || !root.isObject()) {
        throw new IOException(json + ": not a training checkpoint (no JSON object)");
      }
      if (root.path("version").asInt(-1) != VERSION) {
        throw new IOException(
            json + ": checkpoint format version " + root.path("version") + ", expected " + VERSION);
      }
      return root;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(json + ": damaged checkpoint (" + e.getOriginalMessage() + ")", e);
    }
  }

  private static ObjectNode toJson(TrainingState s, String variables) {
    ObjectNode o = JSON.createObjectNode();
    o.put("version", VERSION);
    o.put("model", s.model());
    o.putArray("image_shape")
        .add(s.shape().height())
        .add(s.shape().width())
        .add(s.shape().channels());
    o.put("classes", s.classes());
    ObjectNode r = o.putObject("recipe");
    r.put("optimizer", s.recipe().optimizer().cliName());
    r.put("learning_rate", s.recipe().learningRate());
    r.put("batch", s.recipe().batch());
    r.put("weight_decay", s.recipe().weightDecay());
    r.put("cosine_decay", s.recipe().cosineDecay());
    o.put("seed", s.seed());
    o.put("augment", s.augment());
    o.put("shuffle_buffer", s.shuffleBuffer());
    o.put("epochs", s.epochs());
    o.put("next_epoch", s.nextEpoch());
    o.put("step_in_epoch", s.stepInEpoch());
    o.put("global_step", s.globalStep());
    byte[] it = s.iterator();
    o.put("iterator", it == null ? null : Base64.getEncoder().encodeToString(it));
    ObjectNode p = o.putObject("partial");
    p.put("loss_sum", s.partial().lossSum());
    p.put("correct", s.partial().correct());
    p.put("examples", s.partial().examples());
    p.put("wait_nanos", s.partial().waitNanos());
    p.put("compute_nanos", s.partial().computeNanos());
    ArrayNode h = o.putArray("history");
    for (TrainingState.EpochSummary e : s.history()) {
      ObjectNode n = h.addObject();
      n.put("epoch", e.epoch());
      n.put("train_loss", e.trainLoss());
      n.put("train_accuracy", e.trainAccuracy());
      n.put("eval_loss", e.evalLoss());
      n.put("eval_accuracy", e.evalAccuracy());
      n.put("images_per_sec", e.imagesPerSecond());
      n.put("train_seconds", e.trainSeconds());
    }
    o.put("variables", variables);
    return o;
  }

  private static TrainingState fromJson(JsonNode o, Path json) throws IOException {
    try {
      JsonNode shape = o.path("image_shape");
      JsonNode r = o.path("recipe");
      Recipe recipe =
          new Recipe(
              OptimizerKind.parse(text(r, "optimizer", json)),
              number(r, "learning_rate", json).asDouble(),
              number(r, "batch", json).asInt(),
              number(r, "weight_decay", json).asDouble(),
              r.path("cosine_decay").asBoolean());
      JsonNode p = o.path("partial");
      TrainingState.EpochSums partial =
          new TrainingState.EpochSums(
              number(p, "loss_sum", json).asDouble(),
              number(p, "correct", json).asLong(),
              number(p, "examples", json).asLong(),
              number(p, "wait_nanos", json).asLong(),
              number(p, "compute_nanos", json).asLong());
      List<TrainingState.EpochSummary> history = new ArrayList<>();
      for (JsonNode e : o.path("history")) {
        history.add(
            new TrainingState.EpochSummary(
                number(e, "epoch", json).asInt(),
                number(e, "train_loss", json).asDouble(),
                number(e, "train_accuracy", json).asDouble(),
                number(e, "eval_loss", json).asDouble(),
                number(e, "eval_accuracy", json).asDouble(),
                number(e, "images_per_sec", json).asDouble(),
                number(e, "train_seconds", json).asDouble()));
      }
      JsonNode it = o.path("iterator");
      return new TrainingState(
          text(o, "model", json),
          new ImageShape(shape.path(0).asInt(), shape.path(1).asInt(), shape.path(2).asInt()),
          number(o, "classes", json).asInt(),
          recipe,
          number(o, "seed", json).asLong(),
          o.path("augment").asBoolean(),
          number(o, "shuffle_buffer", json).asInt(),
          number(o, "epochs", json).asInt(),
          number(o, "next_epoch", json).asInt(),
          number(o, "step_in_epoch", json).asLong(),
          number(o, "global_step", json).asLong(),
          it.isTextual() ? Base64.getDecoder().decode(it.asText()) : null,
          partial,
          history);
    } catch (IllegalArgumentException e) {
      throw new IOException(json + ": damaged checkpoint (" + e.getMessage() + ")", e);
    }
  }

  private static JsonNode number(JsonNode o, String field, Path json) throws IOException {
    JsonNode n = o.path(field);
    if (!n.isNumber()) {
      throw new IOException(json + ": damaged checkpoint (no number '" + field + "')");
    }
    return n;
  }

  private static String text(JsonNode o, String field, Path json) throws IOException {
    JsonNode n = o.path(field);
    if (!n.isTextual()) {
      throw new IOException(json + ": damaged checkpoint (no text '" + field + "')");
    }
    return n.asText();
  }

  private static void removeOtherVariables(Path dir, String keep) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path f : s) {
        if (!f.getFileName().toString().equals(keep)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }
}

package dev.millrace.graphdef;

import com.google.protobuf.ByteString;
import dev.millrace.graph.AttrValue;
import dev.millrace.graph.Graph;
import dev.millrace.graph.OpTrait;
import dev.millrace.graph.Operation;
import dev.millrace.graph.Output;
import dev.millrace.graph.Session;
import dev.millrace.graph.Variable;
import dev.millrace.graph.spi.AttrDef;
import dev.millrace.graphdef.proto.GraphDef;
import dev.millrace.graphdef.proto.NodeDef;
import dev.millrace.graphdef.proto.VersionDef;
import dev.millrace.tensor.Shape;
import dev.millrace.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes an engine graph as a frozen TensorFlow GraphDef: the operations the named outputs need, in
 * the graph's order, each a node of the same name, op type and attributes (defaults written out, as
 * TensorFlow's own graphs have them), and every variable a Const holding the session's current
 * value, so the file runs on its own in TensorFlow.
 */
public final class GraphExporter {
  /**
   * The GraphDef version written: TensorFlow 2.18's, the version the TensorFlow-written test graphs
   * carry. TensorFlow accepts graphs from producers back to version 0.
   */
  static final int PRODUCER = 1994;

  private GraphExporter() {}

  /**
   * The part of {@code graph} that {@code outputs} (node names) need, frozen with the variable
   * values of {@code session}.
   *
   * @throws IllegalArgumentException when an output names no operation
   */
  public static GraphDef export(Graph graph, Session session, List<String> outputs) {
    Set<String> needed = needed(graph, outputs);
    Map<Operation, Variable<?>> variables = new java.util.HashMap<>();
    for (Variable<?> v : graph.variables()) {
      variables.put(v.op(), v);
    }
    GraphDef.Builder b =
        GraphDef.newBuilder().setVersions(VersionDef.newBuilder().setProducer(PRODUCER));
    for (Operation op : graph.operations()) {
      if (!needed.contains(op.name())) {
        continue;
      }
      Variable<?> v = variables.get(op);
      if (v != null) {
        b.addNode(frozen(op, session.readVariable(v)));
      } else {
        b.addNode(node(op));
      }
    }
    return b.build();
  }

  private static Set<String> needed(Graph graph, List<String> outputs) {
    Set<String> needed = new HashSet<>();
    Deque<Operation> todo = new ArrayDeque<>();
    for (String name : outputs) {
      todo.add(
          graph
              .operation(GraphNames.nodeOf(name))
              .orElseThrow(
                  () -> new IllegalArgumentException("the graph has no operation '" + name + "'")));
    }
    while (!todo.isEmpty()) {
      Operation op = todo.pop();
      if (!needed.add(op.name()) || graph.registry().hasTrait(op.type(), OpTrait.VARIABLE)) {
        continue; // a variable is frozen: its initializer is not needed
      }
      for (Output<?> in : op.inputs()) {
        todo.add(in.op());
      }
      todo.addAll(op.controlInputs());
    }
    return needed;
  }

  private static NodeDef frozen(Operation variable, Tensor value) {
    return NodeDef.newBuilder()
        .setName(variable.name())
        .setOp("Const")
        .setDevice(variable.device())
        .putAttr("dtype", typeAttr(value.dtype()))
        .putAttr(
            "value",
            dev.millrace.graphdef.proto.AttrValue.newBuilder()
                .setTensor(TensorValues.toProto(value))
                .build())
        .build();
  }

  private static NodeDef node(Operation op) {
    NodeDef.Builder n =
        NodeDef.newBuilder().setName(op.name()).setOp(op.type()).setDevice(op.device());
    for (Output<?> in : op.inputs()) {
      n.addInput(in.index() == 0 ? in.op().name() : in.op().name() + ":" + in.index());
    }
    for (Operation c : op.controlInputs()) {
      n.addInput("^" + c.name());
    }
    for (AttrDef def : op.def().attrs().values()) {
      AttrValue v = op.findAttr(def.name()).orElse(def.defaultValue());
      if (v != null) {
        n.putAttr(def.name(), convert(v));
      }
    }
    return n.build();
  }

  /** An engine attribute value as TensorFlow's AttrValue. */
  public static dev.millrace.graphdef.proto.AttrValue convert(AttrValue v) {
    var b = dev.millrace.graphdef.proto.AttrValue.newBuilder();
    return switch (v) {
      case AttrValue.IntValue i -> b.setI(i.value()).build();
      case AttrValue.FloatValue f -> b.setF(f.value()).build();
      case AttrValue.BoolValue x -> b.setB(x.value()).build();
      case AttrValue.StringValue s -> b.setS(ByteString.copyFromUtf8(s.value())).build();
      case AttrValue.TypeValue t -> b.setType(TensorValues.dataType(t.value())).build();
      case AttrValue.ShapeValue s -> b.setShape(shape(s)).build();
      case AttrValue.IntListValue l -> {
        var list = dev.millrace.graphdef.proto.AttrValue.ListValue.newBuilder();
        for (long x : l.values()) {
          list.addI(x);
        }
        yield b.setList(list).build();
      }
      case AttrValue.TypeListValue l -> {
        var list = dev.millrace.graphdef.proto.AttrValue.ListValue.newBuilder();
        for (dev.millrace.tensor.DType t : l.values()) {
          list.addType(TensorValues.dataType(t));
        }
        yield b.setList(list).build();
      }
      case AttrValue.TensorValue t -> b.setTensor(TensorValues.toProto(t.copy())).build();
    };
  }

  private static dev.millrace.graphdef.proto.TensorShapeProto shape(AttrValue.ShapeValue s) {
    if (!s.hasKnownRank()) {
      return dev.millrace.graphdef.proto.TensorShapeProto.newBuilder().setUnknownRank(true).build();
    }
    Shape shape = s.shape();
    return TensorValues.shapeProto(shape);
  }

  private static dev.millrace.graphdef.proto.AttrValue typeAttr(dev.millrace.tensor.DType t) {
    return dev.millrace.graphdef.proto.AttrValue.newBuilder()
        .setType(TensorValues.dataType(t))
        .build();
  }
}

package dev.millrace.graph;

/** The kinds of attribute value, as TensorFlow's {@code AttrValue} oneof (the subset we use). */
public enum AttrType {
  INT("int"),
  FLOAT("float"),
  BOOL("bool"),
  STRING("string"),
  TYPE("type"),
  SHAPE("shape"),
  LIST_INT("list(int)"),
  LIST_TYPE("list(type)"),
  TENSOR("tensor");

  private final String tensorflowName;

  AttrType(String tensorflowName) {
    this.tensorflowName = tensorflowName;
  }

  /** TensorFlow's name in an OpDef ({@code int}, {@code list(int)}, ...). */
  public String tensorflowName() {
    return tensorflowName;
  }
}

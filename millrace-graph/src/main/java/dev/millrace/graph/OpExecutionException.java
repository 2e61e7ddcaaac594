package dev.millrace.graph;

/**
 * A kernel failed while a session ran; the message starts with the operation's type and name
 * ({@code Conv2D 'conv1': ...}) and the kernel's exception is the cause.
 */
public final class OpExecutionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String opName;
  private final String opType;

  public OpExecutionException(Operation op, Throwable cause) {
    super(op + ": " + cause.getMessage(), cause);
    this.opName = op.name();
    this.opType = op.type();
  }

  public String opName() {
    return opName;
  }

  public String opType() {
    return opType;
  }
}

package dev.millrace.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failed command into one line on standard error and an exit status. A stack trace is for
 * developers: it is printed only when {@code MILLRACE_DEBUG} is set.
 */
final class OneLineErrors implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
    // The qualified name ("millrace bench input"), so that a subcommand's error says which.
    cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": error: " + describe(e));
    if (System.getenv("MILLRACE_DEBUG") != null) {
      e.printStackTrace(cli.getErr());
    }
    cli.getErr().flush();
    if (e instanceof CommandLine.ParameterException || e instanceof IllegalArgumentException) {
      return Main.EXIT_USAGE;
    }
    return Main.EXIT_FAILURE;
  }

  /** The exception's message on one line, with the JDK's terse file errors made readable. */
  static String describe(Throwable e) {
    if (e instanceof UncheckedIOException u && u.getCause() != null) {
      e = u.getCause();
    }
    String message;
    if (e instanceof NoSuchFileException n) {
      message = n.getFile() + ": no such file or directory";
    } else if (e instanceof AccessDeniedException a) {
      message = a.getFile() + ": permission denied";
    } else if (e instanceof FileAlreadyExistsException f) {
      message = f.getFile() + ": already exists";
    } else if (e.getMessage() == null || e.getMessage().isBlank()) {
      message =
          e instanceof IOException
              ? "I/O error (" + e.getClass().getSimpleName() + ")"
              : e.toString();
    } else {
      message = e.getMessage();
    }
    return message.replace('\n', ' ').replace('\r', ' ');
  }
}

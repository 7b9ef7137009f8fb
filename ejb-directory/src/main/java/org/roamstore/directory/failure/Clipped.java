package org.roamstore.directory.failure;

/**
 * The most a log line carries of what a client sent. A client chooses the length of its names and
 * of its whole request (a 10 MiB volume name once grew the server log by 20 MB), and may put line
 * breaks in them to forge log entries; so every log statement that can see client input, and every
 * failure logged with its stack, goes through here: text is cut to {@link #TEXT_LIMIT} characters
 * (the rest counted, not copied), a failure's messages to {@link #MESSAGE_LIMIT}, and control
 * characters are escaped so that one entry stays one line.
 */
public final class Clipped {
  /** A name or value from a request in a log line or an error message. */
  public static final int TEXT_LIMIT = 200;

  /** The message of a failure, which may quote a request (Bean Validation's quotes it whole). */
  public static final int MESSAGE_LIMIT = 1000;

  /** Causes followed when a failure is copied: enough for any container's wrapping. */
  private static final int MAX_CAUSES = 16;

  private Clipped() {}

  /** {@code value}'s text, at most {@link #TEXT_LIMIT} characters of it, on one line. */
  public static String text(Object value) {
    return clip(String.valueOf(value), TEXT_LIMIT);
  }

  /**
   * A copy of {@code failure} to log with its stack: the same classes (by name), stack frames and
   * causes, each message clipped to {@link #MESSAGE_LIMIT}. Null stays null.
   */
  public static Throwable failure(Throwable failure) {
    return copy(failure, 0);
  }

  private static Throwable copy(Throwable failure, int depth) {
    if (failure == null) {
      return null;
    }
    Throwable cause =
        depth < MAX_CAUSES && failure.getCause() != failure
            ? copy(failure.getCause(), depth + 1)
            : null;
    String message =
        failure.getMessage() == null ? null : clip(failure.getMessage(), MESSAGE_LIMIT);
    Copy copy = new Copy(failure.getClass().getName(), message, cause);
    copy.setStackTrace(failure.getStackTrace());
    return copy;
  }

  static String clip(String text, int limit) {
    int keep = Math.min(text.length(), limit);
    StringBuilder out = new StringBuilder(keep + 32);
    for (int i = 0; i < keep; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (text.length() > keep) {
      out.append("...(").append(text.length() - keep).append(" more characters)");
    }
    return out.toString();
  }

  /** Prints as the original would ("class: message"), with the clipped message. */
  private static final class Copy extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String className;

    Copy(String className, String message, Throwable cause) {
      super(message, cause, false, true);
      this.className = className;
    }

    @Override
    public String toString() {
      return getMessage() == null ? className : className + ": " + getMessage();
    }
  }
}

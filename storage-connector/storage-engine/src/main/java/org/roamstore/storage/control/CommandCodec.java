package org.roamstore.storage.control;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.Map;
import org.roamstore.storage.api.StorageException;
import org.roamstore.storage.api.StorageException.Reason;

/**
 * Control commands and their results as bytes, for every {@link ControlCommand} alike: the name of
 * the command travels as a message property, its record components in declaration order as the body
 * ({@link RecordValue}), each through the {@link WireValue} of its type. Each command's layout is
 * worked out once, when this class loads; a command with a component of a type the wire does not
 * know fails then, not at its first use.
 */
final class CommandCodec {
  private static final Map<Class<?>, Layout> BY_TYPE = new HashMap<>();
  private static final Map<String, Layout> BY_NAME = new HashMap<>();

  static {
    for (Class<?> type : ControlCommand.class.getPermittedSubclasses()) {
      Layout layout = new Layout(type);
      BY_TYPE.put(type, layout);
      if (BY_NAME.put(layout.name, layout) != null) {
        throw new IllegalStateException("two control commands are named " + layout.name);
      }
    }
  }

  private CommandCodec() {}

  /** The name a command travels under, for example {@code CREATE_VOLUME}. */
  static String name(ControlCommand<?> command) {
    return layout(command).name;
  }

  /**
   * Refuses a command with a missing argument, before it runs anywhere, so that a local and a
   * remote call fail alike.
   */
  static void requireArguments(ControlCommand<?> command) {
    Layout layout = layout(command);
    String missing = layout.arguments.missing(command);
    if (missing != null) {
      throw new StorageException(
          Reason.INVALID_ARGUMENT, layout.name + " is missing its " + missing);
    }
  }

  static byte[] encode(ControlCommand<?> command) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    layout(command).arguments.write(new DataOutputStream(buffer), command);
    return buffer.toByteArray();
  }

  /**
   * The command a request carries.
   *
   * @throws IOException for an unknown name, a short or long body, or a value out of bounds
   */
  static ControlCommand<?> decode(String name, byte[] body) throws IOException {
    Layout layout = BY_NAME.get(name);
    if (layout == null) {
      throw new IOException("no control command named " + name);
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
    ControlCommand<?> command = layout.arguments.read(in);
    requireEnd(in, name);
    return command;
  }

  static byte[] encodeResult(ControlCommand<?> command, Object result) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    layout(command).result.write(new DataOutputStream(buffer), result);
    return buffer.toByteArray();
  }

  @SuppressWarnings("unchecked")
  static <R> R decodeResult(ControlCommand<R> command, byte[] body) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
    Object result = layout(command).result.read(in);
    requireEnd(in, "the answer to " + layout(command).name);
    return (R) result;
  }

  private static void requireEnd(DataInputStream in, String what) throws IOException {
    int left = in.available();
    if (left > 0) {
      throw new IOException(what + " has " + left + " bytes too many");
    }
  }

  private static Layout layout(ControlCommand<?> command) {
    return BY_TYPE.get(command.getClass()); // sealed: every command has one
  }

  /** How one kind of command is laid out on the wire. */
  private static final class Layout {
    final String name;
    final RecordValue<ControlCommand<?>> arguments;
    final WireValue<Object> result;

    @SuppressWarnings("unchecked")
    Layout(Class<?> type) {
      name = upperSnake(type.getSimpleName());
      arguments = new RecordValue<>((Class<ControlCommand<?>>) type);
      result = (WireValue<Object>) WireValue.of(resultType(type));
    }

    private static Type resultType(Class<?> type) {
      for (Type face : type.getGenericInterfaces()) {
        if (face instanceof ParameterizedType p && p.getRawType() == ControlCommand.class) {
          return p.getActualTypeArguments()[0];
        }
      }
      throw new IllegalStateException(type + " names no result type");
    }

    private static String upperSnake(String camel) {
      return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
    }
  }
}

package org.roamstore.storage.control;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * Which method of a target runs each {@link ControlCommand}: one line per command. {@link
 * Builder#build()} refuses a table that leaves a command out, so a new command without its handler
 * fails when the table is made (at class loading), not at its first call.
 *
 * @param <T> what the handlers call, for example the control unit
 */
public final class CommandTable<T> {
  private final Map<Class<?>, BiFunction<T, ControlCommand<?>, ?>> handlers;

  private CommandTable(Map<Class<?>, BiFunction<T, ControlCommand<?>, ?>> handlers) {
    this.handlers = Map.copyOf(handlers);
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /** Runs the command's handler on {@code target}; {@link #build} saw that there is one. */
  @SuppressWarnings("unchecked")
  public <R> R execute(T target, ControlCommand<R> command) {
    return (R) handlers.get(command.getClass()).apply(target, command);
  }

  public static final class Builder<T> {
    private final Map<Class<?>, BiFunction<T, ControlCommand<?>, ?>> handlers = new HashMap<>();

    private Builder() {}

    /** A command with a result. */
    @SuppressWarnings("unchecked")
    public <C extends ControlCommand<R>, R> Builder<T> on(
        Class<C> type, BiFunction<T, C, R> handler) {
      if (handlers.put(type, (target, command) -> handler.apply(target, (C) command)) != null) {
        throw new IllegalStateException("two handlers for " + type.getSimpleName());
      }
      return this;
    }

    /** A command that returns nothing. */
    public <C extends ControlCommand<Void>> Builder<T> run(
        Class<C> type, BiConsumer<T, C> handler) {
      return on(
          type,
          (T target, C command) -> {
            handler.accept(target, command);
            return (Void) null;
          });
    }

    public CommandTable<T> build() {
      for (Class<?> type : ControlCommand.class.getPermittedSubclasses()) {
        if (!handlers.containsKey(type)) {
          throw new IllegalStateException("no handler for " + type.getSimpleName());
        }
      }
      return new CommandTable<>(handlers);
    }
  }
}

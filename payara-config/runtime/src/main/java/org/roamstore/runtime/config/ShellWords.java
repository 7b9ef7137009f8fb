package org.roamstore.runtime.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Values handed to the launcher as shell assignments it evaluates ({@code eval "$(...)"}): every
 * value single-quoted, so that nothing in it is expanded.
 */
final class ShellWords {
  private final StringBuilder out = new StringBuilder();

  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  ShellWords set(String name, Object value) {
    out.append(name).append('=').append(quote(value == null ? "" : value.toString())).append('\n');
    return this;
  }

  ShellWords array(String name, List<?> values) {
    out.append(name)
        .append("=(")
        .append(values.stream().map(v -> quote(v.toString())).collect(Collectors.joining(" ")))
        .append(")\n");
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }
}

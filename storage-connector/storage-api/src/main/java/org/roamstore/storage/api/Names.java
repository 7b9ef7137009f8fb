package org.roamstore.storage.api;

import java.util.regex.Pattern;

/** The one rule for ids of storage systems, volumes and copy groups: safe as file names. */
public final class Names {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private Names() {}

  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /** Returns the name, or throws a clear {@link StorageException} saying which name is wrong. */
  public static String require(String what, String name) {
    if (!isValid(name)) {
      throw new StorageException(
          StorageException.Reason.INVALID_ARGUMENT,
          what
              + " must be 1-128 characters of letters, digits, '.', '_' or '-' (got "
              + (name == null ? "nothing" : "'" + name + "'")
              + ")");
    }
    return name;
  }
}

package org.roamstore.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A secret kept in a file that only its owner may read: a password on its first line, or a
 * properties file of key store passwords. Refused before anything starts when others may read it,
 * so that a secret never sits readable on a shared machine; the message names the file, never what
 * it holds.
 */
final class SecretFile {
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private SecretFile() {}

  /** The file, once it is known to be a regular file only its owner may read. */
  static Path checked(Path file) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(file + ": not a readable file");
    }
    try {
      Set<PosixFilePermission> permissions =
          Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      permissions.retainAll(OTHERS);
      if (!permissions.isEmpty()) {
        throw new IllegalArgumentException(
            file + ": others may read or change it; chmod 600 " + file);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read its permissions: " + e, e);
    }
    return file;
  }

  /** The password on the first line of an owner-only file. */
  static String password(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(checked(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read it: " + e.getMessage(), e);
    }
    if (lines.isEmpty() || lines.get(0).isEmpty()) {
      throw new IllegalArgumentException(file + ": empty (a password on its first line)");
    }
    return lines.get(0);
  }
}

package org.roamstore.runtime.config;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Properties;
import java.util.Set;

/**
 * Secrets kept in files only their owner may read or change: a password on a file's first line, the
 * directories of the brokers' users, the properties files the servers read their stores from. A
 * file others may read is refused before anything starts; messages name the file, never what it
 * holds.
 */
final class SecretFiles {
  static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private static final SecureRandom RANDOM = new SecureRandom();

  private SecretFiles() {}

  /**
   * The first line of an owner-only file; {@code option} names where the file was given, for the
   * refusal.
   */
  static String firstLine(String option, Path file) throws ConfigException {
    String name = option + " " + file;
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ConfigException(name + ": not a readable file");
    }
    String line;
    try {
      if (!Collections.disjoint(
          Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS), OTHERS)) {
        throw new ConfigException(name + ": others may read it; chmod 600 " + file);
      }
      line = Files.readString(file, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
    } catch (IOException e) {
      throw new ConfigException(name + ": " + e.getMessage(), e);
    }
    if (line.isEmpty()) {
      throw new ConfigException(name + ": empty");
    }
    return line;
  }

  /** 48 hexadecimal digits from a strong random source: a password nobody has to type. */
  static String randomPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** A directory only its owner may enter, made if missing (and tightened if it exists). */
  static Path ownerOnlyDirectory(Path dir) throws ConfigException {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      return dir;
    } catch (IOException e) {
      throw new ConfigException("cannot make the owner-only directory " + dir + ": " + e, e);
    }
  }

  /** Writes {@code file} anew, owner-only from its creation on (never readable by others). */
  static void write(Path file, byte[] content) throws ConfigException {
    try {
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, content);
    } catch (IOException e) {
      throw new ConfigException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes properties (passwords among them) to an owner-only file. */
  static void writeProperties(Path file, Properties properties, String comment)
      throws ConfigException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      properties.store(out, comment);
    } catch (IOException e) {
      throw new ConfigException("cannot write " + file + ": " + e.getMessage(), e);
    }
    write(file, out.toByteArray());
  }

  /** A password file made once: kept when it exists, so that every site keeps agreeing on it. */
  static void writeOnce(Path file) throws ConfigException {
    if (!Files.exists(file)) {
      write(file, (randomPassword() + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }
}

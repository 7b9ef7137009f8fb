package org.roamstore.storage.disk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Durability of directory entries. */
public final class Directories {
  private Directories() {}

  /**
   * Makes creations, renames and deletions inside a directory durable: forcing a file's content
   * does not force its name.
   */
  public static void force(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sync directory " + dir, e);
    }
  }
}

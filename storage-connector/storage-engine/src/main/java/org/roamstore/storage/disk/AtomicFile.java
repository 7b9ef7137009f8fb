package org.roamstore.storage.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a small file so that a crash leaves either the old or the new content, never a mix:
 * write a temporary file, force it, rename it over the target, force the directory.
 */
public final class AtomicFile {
  /** The temporary file is the target's name with this suffix; one left by a crash is rewritten. */
  public static final String TEMP_SUFFIX = ".tmp";

  private AtomicFile() {}

  public static void replace(Path target, byte[] content) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    try (FileChannel ch =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Directories.force(target.getParent());
  }

  public static void delete(Path target) throws IOException {
    if (Files.deleteIfExists(target)) {
      Directories.force(target.getParent());
    }
  }
}

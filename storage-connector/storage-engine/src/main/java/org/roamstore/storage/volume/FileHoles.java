package org.roamstore.storage.volume;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Holes of a volume file, through the C library: {@code fallocate(PUNCH_HOLE | KEEP_SIZE)} gives
 * blocks back, {@code lseek(SEEK_DATA / SEEK_HOLE)} finds them. Java 17 has neither (no punch-hole
 * API, no SEEK_HOLE), and a FileChannel does not reveal its descriptor, so this opens the file a
 * second time and uses that descriptor only for these two calls (the offset lseek moves is never
 * used for I/O). Asking the file system is exact and costs no state of our own: an allocation
 * bitmap kept by the engine would have to be made crash-consistent with the file it describes.
 *
 * <p>Linux only. Elsewhere, or where the file system refuses (EOPNOTSUPP), {@link #open} returns
 * null or punching returns false: callers write zeros instead and report every byte as data, which
 * is always true, only less useful.
 */
final class FileHoles implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FileHoles.class.getName());

  // Linux values, the same on x86-64 and aarch64.
  private static final int O_RDWR = 2;
  private static final int O_CLOEXEC = 0x80000;
  private static final int FALLOC_FL_KEEP_SIZE = 1;
  private static final int FALLOC_FL_PUNCH_HOLE = 2;
  private static final int SEEK_DATA = 3;
  private static final int SEEK_HOLE = 4;
  private static final int ENXIO = 6;
  private static final int EINTR = 4;
  private static final int EOPNOTSUPP = 95;

  /** The four calls this needs; JNA binds them by name. */
  interface LibC extends Library {
    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    long lseek(int fd, long offset, int whence) throws LastErrorException;
  }

  private static final LibC LIBC = load();

  private final int fd;
  private final long sizeBytes;
  private volatile boolean punchRefused;

  private FileHoles(int fd, long sizeBytes) {
    this.fd = fd;
    this.sizeBytes = sizeBytes;
  }

  private static LibC load() {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      return Native.load("c", LibC.class);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      LOG.log(Level.WARNING, "no C library through JNA: TRIM writes zeros, no holes reported", e);
      return null;
    }
  }

  /** The holes of {@code file}, or null if this platform cannot punch or find them. */
  static FileHoles open(Path file, long sizeBytes) throws IOException {
    if (LIBC == null) {
      return null;
    }
    try {
      return new FileHoles(LIBC.open(file.toString(), O_RDWR | O_CLOEXEC), sizeBytes);
    } catch (LastErrorException e) {
      throw new IOException(
          "cannot open " + file + " for hole punching: errno " + e.getErrorCode());
    }
  }

  /**
   * Deallocates a range; it reads as zeros afterwards. Returns false, having changed nothing, if
   * the file system cannot punch holes.
   */
  boolean punch(long position, long length) throws IOException {
    if (punchRefused) {
      return false;
    }
    while (true) {
      try {
        LIBC.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, position, length);
        return true;
      } catch (LastErrorException e) {
        if (e.getErrorCode() == EINTR) {
          continue;
        }
        if (e.getErrorCode() == EOPNOTSUPP) {
          punchRefused = true;
          return false;
        }
        throw new IOException("cannot punch a hole: errno " + e.getErrorCode());
      }
    }
  }

  boolean canPunch() {
    return !punchRefused;
  }

  /** The first offset at or after {@code position} that holds data, or the size if none does. */
  long nextData(long position) throws IOException {
    return seek(position, SEEK_DATA);
  }

  /** The first offset at or after {@code position} in a hole (the size counts as one). */
  long nextHole(long position) throws IOException {
    return seek(position, SEEK_HOLE);
  }

  private long seek(long position, int whence) throws IOException {
    if (position >= sizeBytes) {
      return sizeBytes;
    }
    try {
      return Math.min(sizeBytes, LIBC.lseek(fd, position, whence));
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ENXIO) {
        return sizeBytes; // SEEK_DATA past the last data
      }
      throw new IOException("cannot look for holes: errno " + e.getErrorCode());
    }
  }

  @Override
  public void close() {
    try {
      LIBC.close(fd);
    } catch (LastErrorException e) {
      LOG.fine(() -> "closing the hole descriptor: errno " + e.getErrorCode());
    }
  }
}

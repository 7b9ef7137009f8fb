package org.roamstore.storage.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** One real volume: a sparse file whose length is the volume's size. */
public final class RealVolume implements BackingFile, AutoCloseable {
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(RealVolume.class.getName());
  private final String volumeId;
  private final Path file;
  private final long sizeBytes;
  private final FileChannel channel;
  private final FileHoles holes; // null where holes can neither be punched nor found

  RealVolume(String volumeId, Path file) throws IOException {
    this.volumeId = volumeId;
    this.file = file;
    this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    this.sizeBytes = channel.size();
    try {
      this.holes = openHoles(file, sizeBytes);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  private static FileHoles openHoles(Path file, long sizeBytes) throws IOException {
    try {
      return FileHoles.open(file, sizeBytes);
    } catch (LinkageError e) {
      // JNA is not on the class path (a hand-made one): zeros are written, nothing is a hole.
      LOG.warning("no JNA, so no hole punching or finding: " + e);
      return null;
    }
  }

  public String volumeId() {
    return volumeId;
  }

  public Path file() {
    return file;
  }

  @Override
  public long sizeBytes() {
    return sizeBytes;
  }

  @Override
  public void read(ByteBuffer dst, long position) throws IOException {
    long pos = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        // The file is never shorter than the volume, but a hole at the end reads as zeros anyway.
        while (dst.hasRemaining()) {
          dst.put((byte) 0);
        }
        return;
      }
      pos += n;
    }
  }

  @Override
  public void write(ByteBuffer[] srcs, long position) throws IOException {
    if (srcs.length == 1) {
      ByteBuffer src = srcs[0];
      long pos = position;
      while (src.hasRemaining()) {
        pos += channel.write(src, pos);
      }
      return;
    }
    // A gathering write needs the channel position; callers serialize writes per volume.
    synchronized (channel) {
      channel.position(position);
      long remaining = 0;
      for (ByteBuffer b : srcs) {
        remaining += b.remaining();
      }
      while (remaining > 0) {
        remaining -= channel.write(srcs);
      }
    }
  }

  @Override
  public void force() throws IOException {
    // The length never changes after creation, so data and the metadata to reach it suffice.
    channel.force(false);
  }

  @Override
  public boolean punchHole(long position, long length) throws IOException {
    return holes != null && holes.punch(position, length);
  }

  @Override
  public boolean canPunchHoles() {
    return holes != null && holes.canPunch();
  }

  @Override
  public long nextData(long position) throws IOException {
    return holes == null ? Math.min(position, sizeBytes) : holes.nextData(position);
  }

  @Override
  public long nextHole(long position) throws IOException {
    return holes == null ? sizeBytes : holes.nextHole(position);
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      if (holes != null) {
        holes.close();
      }
    }
  }
}

package org.roamstore.storage.cache;

import java.nio.ByteBuffer;

/** One page of a volume held in memory. Every field is guarded by the cache memory's lock. */
final class CachePage {
  final CachedVolume volume;
  final long index;
  final ByteBuffer data;

  /**
   * Bumped by every write. The destager remembers it when it starts writing a page and marks the
   * page clean only if it has not moved, so a write racing with a destage is never lost.
   */
  int version;

  boolean dirty;

  /** Being filled from the file; nobody else touches the data until this clears. */
  boolean loading;

  // Links in the clean LRU list; both null while the page is dirty or loading.
  CachePage older;
  CachePage newer;

  CachePage(CachedVolume volume, long index, ByteBuffer data) {
    this.volume = volume;
    this.index = index;
    this.data = data;
  }

  long position() {
    return index * CacheMemory.PAGE_SIZE;
  }

  /** The bytes of this page inside the volume; only the last page can be short. */
  int length() {
    return (int) Math.min(CacheMemory.PAGE_SIZE, volume.sizeBytes() - position());
  }
}

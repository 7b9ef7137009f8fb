/**
 * How the control unit's small state files reach the disk crash-safely: {@link
 * org.roamstore.storage.disk.AtomicFile} replaces a whole file (temporary file, force, rename,
 * force the directory), {@link org.roamstore.storage.disk.Directories} makes a directory entry
 * durable. The layout of the data directory they write is drawn in the engine's README ("Data
 * directory").
 */
package org.roamstore.storage.disk;

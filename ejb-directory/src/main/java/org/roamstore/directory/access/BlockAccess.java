package org.roamstore.directory.access;

/**
 * What a valid bearer token allows: block I/O on one real volume at one storage system, at the
 * epoch its login was granted at. Storage refuses that epoch once the primary moves on.
 */
public record BlockAccess(
    String user,
    String volume,
    String dataCenter,
    String storageSystem,
    String volumeId,
    long epoch,
    long sizeBytes) {}

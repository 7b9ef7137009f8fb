package org.roamstore.directory.access;

import java.util.List;

/** One of a user's virtual volumes, as the volume list shows it. */
public record VolumeSummary(
    String name,
    long sizeBytes,
    String transferType,
    String primary,
    List<String> dataCenters,
    long epoch) {}

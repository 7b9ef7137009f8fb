package org.roamstore.directory.lag;

/** One series of lag samples: a volume's copy at one secondary data center. */
public record SeriesKey(String volume, String secondary) {}

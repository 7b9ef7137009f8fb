package org.roamstore.directory.provisioning;

/**
 * A CDI event: the volume's copy work has ended (every added copy complete, every move finished).
 * Fired by {@link CopyWatch} after the transaction that ended it, for whoever decides about copies
 * (the placement policy), without provisioning depending on it.
 *
 * @param volume the virtual volume's name
 */
public record CopiesSettled(String volume) {}

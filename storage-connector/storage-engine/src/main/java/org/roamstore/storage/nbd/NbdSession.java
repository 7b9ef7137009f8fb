package org.roamstore.storage.nbd;

/**
 * What the handshake agreed on for one connection.
 *
 * @param export the export the client chose
 * @param structuredReplies READ answers in chunks (data, holes, errors); BLOCK_STATUS needs it
 * @param allocation {@code base:allocation} was selected for this export
 * @param replication {@code roamstore:replication} was selected for this export
 */
record NbdSession(
    NbdExport export, boolean structuredReplies, boolean allocation, boolean replication) {}

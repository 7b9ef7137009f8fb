/**
 * A secondary's side of remote copy (reference text, write data receive process 135, Fig. 12):
 * batches applied to the cache in sequence order, duplicates ignored, stale epochs refused, gaps
 * waited for; acknowledged when in the cache, consumed from the broker only after a checkpoint made
 * them durable here.
 */
package org.roamstore.storage.replication.receive;

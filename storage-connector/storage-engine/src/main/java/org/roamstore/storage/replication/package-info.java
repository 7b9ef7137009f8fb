/**
 * Where remote copy plugs into the write path (reference text, Fig. 10-12). The write request
 * execution hands every write, once it is in the primary's cache, to a {@link
 * org.roamstore.storage.replication.WriteDataSender}. Only a sender without remote copy exists so
 * far; the Artemis-based sender and receiver come with the remote copy issue.
 */
package org.roamstore.storage.replication;

/**
 * Remote copy (reference text, Fig. 9-12). The write request execution hands every write, once it
 * is in the primary's cache, to a {@link org.roamstore.storage.replication.WriteDataSender}: {@link
 * org.roamstore.storage.replication.NoRemoteCopy} keeps everything local, {@link
 * org.roamstore.storage.replication.RemoteCopy} ships it over a Jakarta Messaging broker and runs
 * the receiving side for this unit's secondaries. The wire format lives in {@code batch}, the
 * primary's side in {@code send}, the secondary's in {@code receive}.
 */
package org.roamstore.storage.replication;

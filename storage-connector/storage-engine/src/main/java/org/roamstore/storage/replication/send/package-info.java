/**
 * The primary's side of remote copy (reference text, write data send process 134, Fig. 10 and 11):
 * per copy group and secondary a stream of numbered writes cut into batches, the process that ships
 * them to the broker many per transaction, the acknowledgements that complete SYNC writes, and the
 * out-of-sync region map that resynchronises a secondary which stopped answering.
 */
package org.roamstore.storage.replication.send;

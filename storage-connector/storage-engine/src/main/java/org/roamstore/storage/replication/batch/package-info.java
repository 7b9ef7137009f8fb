/**
 * What travels between sites: batches of write data as Jakarta Messaging bytes messages, their
 * header properties, the acknowledgements, and the queue names (one inbound queue per site per
 * purpose).
 */
package org.roamstore.storage.replication.batch;

/**
 * The storage control unit (reference text, 115): opens the volumes and copy groups of a data
 * directory, runs the cache memory, the read and write request executions (132, 133) and the NBD
 * front end, and hands out {@link org.roamstore.storage.api.StorageConnection} handles. No JCA
 * types: the resource adapter wraps {@link org.roamstore.storage.engine.StorageControlUnit}, and
 * {@link org.roamstore.storage.engine.StandaloneStorage} runs one from the command line.
 */
package org.roamstore.storage.engine;

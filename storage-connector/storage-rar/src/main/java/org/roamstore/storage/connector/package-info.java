/**
 * The JCA 2.1 resource adapter around the storage engine: a thin shell that lets a container pool
 * connections to a storage control unit and bind a {@link
 * org.roamstore.storage.api.StorageConnectionFactory} in JNDI. Every storage decision lives in the
 * engine; these classes only map its lifecycle, threads and failures onto the connector contracts.
 * One connection pool per storage control unit; pools naming the same storage system share one open
 * control unit, kept by {@link org.roamstore.storage.connector.StorageResourceAdapter}.
 */
package org.roamstore.storage.connector;

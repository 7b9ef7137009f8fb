/**
 * The control path of a storage control unit: the copy volume group interface (Fig. 3, 140) and
 * every other {@link org.roamstore.storage.api.StorageConnection} call as a {@link
 * org.roamstore.storage.control.ControlCommand}, one record per operation. A {@link
 * org.roamstore.storage.control.CommandConnection} turns each call into its command; the unit's own
 * connection runs it through its {@link org.roamstore.storage.control.CommandTable}, a {@link
 * org.roamstore.storage.control.RemoteStorageConnection} sends it as a request message, and the
 * unit's {@link org.roamstore.storage.control.ControlServer} runs what arrives through the same
 * table. One JVM with three sites and three JVMs on three machines use the same path: only the
 * brokers' bridges differ.
 */
package org.roamstore.storage.control;

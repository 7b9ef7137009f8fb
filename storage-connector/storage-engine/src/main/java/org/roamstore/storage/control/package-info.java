/**
 * The control path of a storage control unit over the broker: the copy volume group interface (Fig.
 * 3, 140) and every other {@link org.roamstore.storage.api.StorageConnection} call, as request and
 * reply messages. A {@link org.roamstore.storage.control.ControlServer} answers for the units of
 * one server on their request queues; a {@link
 * org.roamstore.storage.control.RemoteStorageConnection} asks, wherever the unit runs. One JVM with
 * three sites and three JVMs on three machines use the same path: only the brokers' bridges differ.
 */
package org.roamstore.storage.control;

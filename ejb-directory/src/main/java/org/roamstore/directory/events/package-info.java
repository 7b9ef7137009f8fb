/**
 * What the directory tells other systems: one JSON message per login, primary switch, forced
 * takeover and volume change on the topic {@value
 * org.roamstore.directory.events.DirectoryEvents#TOPIC}, sent inside the transaction that made the
 * change, so only what committed is ever announced.
 */
package org.roamstore.directory.events;

/**
 * What the directory tells other systems: one JSON message per login, primary switch, forced
 * takeover and volume change on the topic {@value org.roamstore.storage.api.Destinations#EVENTS}.
 * Events are written in the transaction that made the change (an outbox) and sent right after it
 * commits, so only what committed is ever announced, at least once.
 */
package org.roamstore.directory.events;

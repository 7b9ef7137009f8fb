/**
 * The client side of a storage control unit: what the directory and the gateway compile against.
 * Value types follow the words of the reference text (copy volume group, real volume address,
 * transfer type). Implementations live in the engine and, for containers, in the resource adapter.
 */
package org.roamstore.storage.api;

/**
 * The runtime assembly has no code of its own: it packs Payara Micro, the RARs, the WAR and the
 * broker into target/roamstore, and its integration tests run the whole system from there.
 */
package org.roamstore.runtime;

/**
 * The runtime assembly packs Payara Micro, the RARs, the WAR and the broker into target/roamstore,
 * and its integration tests run the whole system from there. Its one piece of code, {@code config},
 * turns the launcher's options and a topology file into the servers' command files.
 */
package org.roamstore.runtime;

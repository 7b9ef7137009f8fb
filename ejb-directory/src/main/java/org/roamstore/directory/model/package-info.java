/**
 * The directory's data (reference text, Fig. 2): data centers, the network interfaces users attach
 * through, users, and virtual volumes with their real volume information, plus the access grants
 * and primary switches the login process leaves behind.
 */
package org.roamstore.directory.model;

/**
 * The directory's data (reference text, Fig. 2): data centers, the network interfaces users attach
 * through, and later users and virtual volumes with their real volume information.
 */
package org.roamstore.directory.model;

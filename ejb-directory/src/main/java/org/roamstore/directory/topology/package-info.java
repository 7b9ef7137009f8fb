/**
 * What a deployment starts with, read from a topology file into an empty directory at start: the
 * sites and network interfaces, and demo users and volumes.
 */
package org.roamstore.directory.topology;

/**
 * The sites and network interfaces a deployment starts with, read from a topology file into an
 * empty directory at start.
 */
package org.roamstore.directory.topology;

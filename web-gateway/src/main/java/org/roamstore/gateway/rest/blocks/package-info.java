/**
 * The REST block API: reads and writes of a virtual volume over HTTP with the bearer token of a
 * login, at the data center and epoch that login was granted (the NBD export's HTTP twin).
 */
package org.roamstore.gateway.rest.blocks;

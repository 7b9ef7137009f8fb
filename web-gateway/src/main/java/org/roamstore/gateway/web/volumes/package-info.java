/**
 * Choosing one of my volumes and logging in to it (Fig. 8) from the pages: the network interface is
 * found from the client's address or chosen from the list, and the result page tells where the
 * volume is now and how to connect to it.
 */
package org.roamstore.gateway.web.volumes;

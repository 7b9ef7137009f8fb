/** The operators' view over REST: every site and copy volume group, as the status page shows it. */
package org.roamstore.gateway.rest.status;

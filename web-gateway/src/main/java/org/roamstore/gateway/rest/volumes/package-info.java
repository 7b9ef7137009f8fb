/** A signed-in user's own things over REST: their volumes, and ending an access (logout). */
package org.roamstore.gateway.rest.volumes;

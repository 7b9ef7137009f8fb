/**
 * Making and removing virtual volumes: a real volume and the copy volume group information (Fig. 3)
 * at every named site, all or nothing.
 */
package org.roamstore.directory.provisioning;

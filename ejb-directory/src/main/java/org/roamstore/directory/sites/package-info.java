/**
 * Operating data centers: marking a site down (logins skip it, switches do not wait for it) and up
 * again, which first brings its copy volume group information up to the directory's.
 */
package org.roamstore.directory.sites;

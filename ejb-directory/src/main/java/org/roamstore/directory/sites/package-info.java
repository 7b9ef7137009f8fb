/**
 * Operating data centers: adding one while the system runs (by the admin API, or what a topology
 * file has that the directory lacks; {@link org.roamstore.directory.sites.SiteAdditions} holds the
 * rules), marking a site down (logins skip it, switches do not wait for it) and up again, which
 * first brings its copy volume group information up to the directory's; and the site watch, which
 * does both by itself for sites whose storage control unit stops or starts answering.
 */
package org.roamstore.directory.sites;

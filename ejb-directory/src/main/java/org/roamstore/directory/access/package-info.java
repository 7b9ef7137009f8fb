/**
 * What the access gateway asks of the directory besides a login: a user's volumes, the access a
 * bearer token stands for (checked on every block request), revoking access at logout, and the
 * status of every site and copy volume group for operators.
 */
package org.roamstore.directory.access;

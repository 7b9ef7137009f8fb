/**
 * Signing in and out with the sign-in form (Jakarta Security, programmatic authentication against
 * the directory's users), with CSRF tokens and the directory's growing delay after failures.
 * Signing out revokes every access the session's logins handed out.
 */
package org.roamstore.gateway.web.login;

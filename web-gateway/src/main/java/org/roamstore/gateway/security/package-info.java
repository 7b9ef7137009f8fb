/**
 * How the gateway knows who is asking: one Jakarta Security authentication mechanism for pages
 * (sign-in form, session) and programs (HTTP Basic), CSRF tokens for the pages' forms, and the
 * security headers every answer carries.
 */
package org.roamstore.gateway.security;

/**
 * The directory's answers as JSON, one shape for every channel: the REST API and the request queue
 * render logins, volumes and errors with the same code, so a program sees the same fields whichever
 * way it asks.
 */
package org.roamstore.directory.json;

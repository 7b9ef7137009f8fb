/**
 * The pages a person sees at the access gateway: the home page and what every page shares (frame,
 * escaping). Signing in, choosing a volume and the status page live in the sub-packages.
 */
package org.roamstore.gateway.web;

/** The REST API of the access gateway (JSON over JAX-RS), under {@code /api}. */
package org.roamstore.gateway.rest;

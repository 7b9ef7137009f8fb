package org.roamstore.gateway.rest;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The REST API under {@code /api}. Payara Micro serves its description at {@code /openapi}
 * (MicroProfile OpenAPI) from the WAR's {@code META-INF/openapi.yaml}, written by hand: Payara's
 * annotation scanner fails on Bean Validation annotations of record components
 * (NullPointerException in ApplicationProcessor.addSchemaParameter, measured on 6.2025.10), so
 * scanning is off (META-INF/microprofile-config.properties).
 */
@ApplicationPath("api")
public class GatewayApplication extends Application {}

package org.roamstore.gateway.rest;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

@ApplicationPath("api")
public class GatewayApplication extends Application {}

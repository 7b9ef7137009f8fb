package org.roamstore.gateway.rest;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.failure.ErrorCode;

/**
 * A body naming a value its enum does not have ({@code "transferType": "FAST"}). JSON-B says only
 * which enum type failed, deep in its causes ("No enum constant ...TransferType.FAST"); the field
 * is found among the components of the record the resource method takes as its body, so that the
 * refusal names the field and the values it accepts.
 */
final class UnknownConstant {
  private static final String NO_ENUM_CONSTANT = "No enum constant ";

  private UnknownConstant() {}

  /** The refusal, when the failure is an unknown constant of a field of the method's body. */
  static Optional<ApiError> of(Throwable failure, Method resourceMethod) {
    if (resourceMethod == null) {
      return Optional.empty();
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException
          && t.getMessage() != null
          && t.getMessage().startsWith(NO_ENUM_CONSTANT)) {
        String constant = t.getMessage().substring(NO_ENUM_CONSTANT.length());
        int dot = constant.lastIndexOf('.');
        if (dot > 0) {
          return refusal(resourceMethod, constant.substring(0, dot), constant.substring(dot + 1));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<ApiError> refusal(Method method, String enumType, String given) {
    for (Parameter p : method.getParameters()) {
      if (!p.getType().isRecord() || p.getAnnotations().length > countOfBeanValidation(p)) {
        continue;
      }
      for (RecordComponent c : p.getType().getRecordComponents()) {
        if (c.getType().isEnum() && c.getType().getName().equals(enumType)) {
          String accepted =
              Arrays.stream(c.getType().getEnumConstants())
                  .map(v -> ((Enum<?>) v).name())
                  .collect(Collectors.joining(", "));
          String why = "must be one of " + accepted + " (not '" + Clipped.text(given) + "')";
          return Optional.of(
              ApiError.of(
                  400,
                  ErrorCode.VALIDATION_FAILED.name(),
                  "the request is not valid: " + c.getName() + " " + why,
                  Map.of(c.getName(), why)));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The body is the one parameter without JAX-RS annotations; Bean Validation ones may be on it.
   */
  private static long countOfBeanValidation(Parameter p) {
    return Arrays.stream(p.getAnnotations())
        .filter(a -> a.annotationType().getPackageName().startsWith("jakarta.validation"))
        .count();
  }
}

package org.roamstore.storage.control;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;

/**
 * A record on the wire: its components in declaration order, each by its own {@link WireValue}.
 * Reading calls the canonical constructor, so the record validates what arrives as it would for a
 * local caller; a refusal there is an {@link IOException} like any other malformed body.
 */
final class RecordValue<T> implements WireValue<T> {
  private final Class<T> type;
  private final RecordComponent[] components;
  private final Method[] accessors;
  private final WireValue<Object>[] values;
  private final Constructor<T> constructor;

  @SuppressWarnings("unchecked")
  RecordValue(Class<T> type) {
    this.type = type;
    components = type.getRecordComponents();
    accessors = new Method[components.length];
    values = new WireValue[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      accessors[i] = components[i].getAccessor();
      values[i] = (WireValue<Object>) WireValue.of(components[i].getGenericType());
      types[i] = components[i].getType();
    }
    try {
      constructor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(type + " has no canonical constructor", e);
    }
  }

  /** The first component that is null but may not be, or null when none is missing. */
  String missing(T record) {
    for (int i = 0; i < components.length; i++) {
      if (!values[i].nullable() && component(record, i) == null) {
        return components[i].getName();
      }
    }
    return null;
  }

  @Override
  public void write(DataOutput out, T record) throws IOException {
    if (record == null) {
      throw new IOException("a " + type.getSimpleName() + " is missing");
    }
    String missing = missing(record);
    if (missing != null) {
      throw new IOException("a " + type.getSimpleName() + " is missing its " + missing);
    }
    for (int i = 0; i < components.length; i++) {
      values[i].write(out, component(record, i));
    }
  }

  @Override
  public T read(DataInput in) throws IOException {
    Object[] arguments = new Object[components.length];
    for (int i = 0; i < arguments.length; i++) {
      arguments[i] = values[i].read(in);
    }
    try {
      return constructor.newInstance(arguments);
    } catch (InvocationTargetException e) {
      throw new IOException(type.getSimpleName() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private Object component(T record, int i) {
    try {
      return accessors[i].invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}

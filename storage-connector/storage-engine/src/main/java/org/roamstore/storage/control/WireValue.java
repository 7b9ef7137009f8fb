package org.roamstore.storage.control;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.OutOfSyncRegions;
import org.roamstore.storage.api.StorageStatus;

/**
 * How a value of one Java type is written in a control message: the types that command arguments
 * and results are made of (records and enums of the storage API alike), and {@code Optional},
 * {@code List} and {@code Set} of them. Counts are bounded when read (see {@link ControlCodec}).
 */
interface WireValue<T> {
  void write(DataOutput out, T value) throws IOException;

  T read(DataInput in) throws IOException;

  /** Whether null is written as such; a null of any other type never reaches the wire. */
  default boolean nullable() {
    return false;
  }

  @FunctionalInterface
  interface Writer<T> {
    void write(DataOutput out, T value) throws IOException;
  }

  @FunctionalInterface
  interface Reader<T> {
    T read(DataInput in) throws IOException;
  }

  static <T> WireValue<T> of(Writer<T> writer, Reader<T> reader, boolean nullable) {
    return new WireValue<>() {
      @Override
      public void write(DataOutput out, T value) throws IOException {
        writer.write(out, value);
      }

      @Override
      public T read(DataInput in) throws IOException {
        return reader.read(in);
      }

      @Override
      public boolean nullable() {
        return nullable;
      }
    };
  }

  static <T> WireValue<T> of(Writer<T> writer, Reader<T> reader) {
    return of(writer, reader, false);
  }

  Map<Class<?>, WireValue<?>> PLAIN =
      Map.ofEntries(
          Map.entry(Void.class, of((out, v) -> {}, in -> null, true)),
          Map.entry(String.class, of(ControlCodec::writeString, ControlCodec::readString, true)),
          Map.entry(Instant.class, of(ControlCodec::writeInstant, ControlCodec::readInstant, true)),
          Map.entry(long.class, of((out, v) -> out.writeLong((Long) v), DataInput::readLong)),
          Map.entry(int.class, of((out, v) -> out.writeInt((Integer) v), DataInput::readInt)),
          Map.entry(
              boolean.class, of((out, v) -> out.writeBoolean((Boolean) v), DataInput::readBoolean)),
          Map.entry(
              Duration.class,
              of(
                  (out, v) -> out.writeLong(((Duration) v).toMillis()),
                  in -> Duration.ofMillis(in.readLong()))),
          Map.entry(byte[].class, of(ControlCodec::writeBytes, ControlCodec::readBytes)),
          Map.entry(
              OutOfSyncRegions.class, of(ControlCodec::writeRegions, ControlCodec::readRegions)),
          Map.entry(StorageStatus.class, of(ControlCodec::writeStatus, ControlCodec::readStatus)),
          Map.entry(
              CacheSynchronization.class,
              of(ControlCodec::writeSynchronization, ControlCodec::readSynchronization)),
          Map.entry(
              CopyGroupStatus.class,
              of(ControlCodec::writeCopyGroupStatus, ControlCodec::readCopyGroupStatus)));

  /**
   * The wire form of a component or result type: {@link #PLAIN}, else a record by its components,
   * an enum by its name (null written as such); fails for a type the wire does not know.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static WireValue<?> of(Type type) {
    if (type instanceof Class<?> plain) {
      if (PLAIN.containsKey(plain)) {
        return PLAIN.get(plain);
      }
      if (plain.isRecord()) {
        return new RecordValue<>(plain);
      }
      if (plain.isEnum()) {
        Class<? extends Enum> named = (Class<? extends Enum>) plain;
        return of(
            (out, v) -> ControlCodec.writeString(out, v == null ? null : ((Enum<?>) v).name()),
            in -> {
              String name = ControlCodec.readString(in);
              return name == null ? null : ControlCodec.parse(named, name);
            },
            true);
      }
    }
    if (type instanceof ParameterizedType generic) {
      Type raw = generic.getRawType();
      WireValue<?> item = of(generic.getActualTypeArguments()[0]);
      if (raw == Optional.class) {
        return optional(item);
      }
      if (raw == List.class) {
        return collection(item, ArrayList::new);
      }
      if (raw == Set.class) {
        return collection(item, LinkedHashSet::new);
      }
    }
    throw new IllegalStateException("control messages cannot carry a " + type.getTypeName());
  }

  @SuppressWarnings("unchecked")
  private static WireValue<?> optional(WireValue<?> item) {
    WireValue<Object> value = (WireValue<Object>) item;
    return WireValue.<Optional<Object>>of(
        (out, v) -> {
          out.writeBoolean(v.isPresent());
          if (v.isPresent()) {
            value.write(out, v.get());
          }
        },
        in -> in.readBoolean() ? Optional.of(value.read(in)) : Optional.empty());
  }

  @SuppressWarnings("unchecked")
  private static WireValue<?> collection(
      WireValue<?> item, IntFunction<Collection<Object>> create) {
    WireValue<Object> value = (WireValue<Object>) item;
    return WireValue.<Collection<Object>>of(
        (out, v) -> {
          out.writeInt(v.size());
          for (Object each : v) {
            value.write(out, each);
          }
        },
        in -> {
          int count = ControlCodec.readCount(in, "items");
          Collection<Object> all = create.apply(count);
          for (int i = 0; i < count; i++) {
            all.add(value.read(in));
          }
          return all;
        });
  }
}

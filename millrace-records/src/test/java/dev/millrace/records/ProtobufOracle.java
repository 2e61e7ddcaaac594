package dev.millrace.records;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.millrace.records.internal.Utf8;
import dev.millrace.records.proto.Feature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What protobuf-java makes of a serialized {@code Example} or {@code SequenceExample}, one map
 * entry at a time and in wire order, for the fuzz tests that hold the fast decoder and the scanner
 * to it.
 *
 * <p>protobuf-java itself ({@code Example.parseFrom}) says whether bytes are accepted. Its parsed
 * map cannot say in which order entries came or what a {@code Feature} with several list kinds
 * holds under the C++ parser's oneof rule (a different member replaces the current one), which the
 * decoder follows and protobuf-java's builder does not. So the entries are walked here with
 * protobuf-java's {@link CodedInputStream}, the value fields of an entry concatenated (merging
 * messages is concatenating them), and each {@code Feature} cut to its last run of one list kind
 * before protobuf-java parses it.
 */
final class ProtobufOracle {
  private ProtobufOracle() {}

  /**
   * One map entry: its (last) key and its {@code Feature} as the C++ parser reads it, or null if
   * the Feature's bytes are damaged (the walk goes on: the entries' framing is intact).
   */
  record Entry(Key key, Feature feature) {}

  /** One entry of {@code feature_lists}: its key and its steps (null for a damaged one). */
  record ListEntry(Key key, List<Feature> steps) {}

  /** A map entry's key: its bytes and where they start in the walked message. */
  record Key(byte[] bytes, int offset) {
    boolean isUtf8() {
      return Utf8.isValid(bytes, 0, bytes.length);
    }
  }

  /**
   * The parts of a message in wire order ({@link Entry}s and {@link ListEntry}s), and every key
   * met, those that a later key of the same entry overrides included.
   */
  record Walk(List<Object> parts, List<Key> keys, boolean complete) {}

  /**
   * The entries of the serialized Example (or, with {@code sequence}, SequenceExample) as far as
   * the wire format can be walked: {@code complete} is false if it broke off at damaged bytes, and
   * the parts before the damage are kept.
   */
  static Walk walk(byte[] bytes, boolean sequence) {
    List<Object> parts = new ArrayList<>();
    List<Key> keys = new ArrayList<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == lenTag(1)) {
          ByteString b = in.readBytes();
          features(b, in.getTotalBytesRead() - b.size(), parts, keys);
        } else if (sequence && tag == lenTag(2)) {
          ByteString b = in.readBytes();
          featureLists(b, in.getTotalBytesRead() - b.size(), parts, keys);
        } else if (!in.skipField(tag)) {
          throw new InvalidProtocolBufferException("end-group tag without a start");
        }
      }
      return new Walk(parts, keys, true);
    } catch (IOException | RuntimeException e) {
      return new Walk(parts, keys, false);
    }
  }

  /** {@code base}: where {@code bytes} start in the walked message. */
  private static void features(ByteString bytes, int base, List<Object> parts, List<Key> keys)
      throws IOException {
    CodedInputStream in = bytes.newCodedInput();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == lenTag(1)) {
        ByteString b = in.readBytes();
        KeyAndValue e = entry(b, base + in.getTotalBytesRead() - b.size(), keys);
        parts.add(new Entry(e.key(), featureOrNull(e.value())));
      } else if (!in.skipField(tag)) {
        throw new InvalidProtocolBufferException("end-group tag without a start");
      }
    }
  }

  private static void featureLists(ByteString bytes, int base, List<Object> parts, List<Key> keys)
      throws IOException {
    CodedInputStream in = bytes.newCodedInput();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == lenTag(1)) {
        ByteString b = in.readBytes();
        KeyAndValue e = entry(b, base + in.getTotalBytesRead() - b.size(), keys);
        List<Feature> steps = new ArrayList<>();
        CodedInputStream list = e.value().newCodedInput();
        for (int t = list.readTag(); t != 0; t = list.readTag()) {
          if (t == lenTag(1)) {
            steps.add(featureOrNull(list.readBytes()));
          } else if (!list.skipField(t)) {
            throw new InvalidProtocolBufferException("end-group tag without a start");
          }
        }
        parts.add(new ListEntry(e.key(), steps));
      } else if (!in.skipField(tag)) {
        throw new InvalidProtocolBufferException("end-group tag without a start");
      }
    }
  }

  private record KeyAndValue(Key key, ByteString value) {}

  /** A map entry's last key and its value fields concatenated (merged). */
  private static KeyAndValue entry(ByteString bytes, int base, List<Key> keys) throws IOException {
    CodedInputStream in = bytes.newCodedInput();
    Key key = new Key(new byte[0], base);
    ByteString value = ByteString.EMPTY;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == lenTag(1)) {
        ByteString k = in.readBytes();
        key = new Key(k.toByteArray(), base + in.getTotalBytesRead() - k.size());
        keys.add(key);
      } else if (tag == lenTag(2)) {
        value = value.concat(in.readBytes());
      } else if (!in.skipField(tag)) {
        throw new InvalidProtocolBufferException("end-group tag without a start");
      }
    }
    return new KeyAndValue(key, value);
  }

  private static Feature featureOrNull(ByteString bytes) {
    try {
      return feature(bytes);
    } catch (IOException e) {
      return null;
    }
  }

  /** A {@code Feature} under the oneof rule: only its last run of one list kind counts. */
  private static Feature feature(ByteString bytes) throws IOException {
    CodedInputStream in = bytes.newCodedInput();
    int lastKind = 0;
    int runStart = 0;
    for (int at = in.getTotalBytesRead(), tag = in.readTag();
        tag != 0;
        at = in.getTotalBytesRead(), tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (tag == lenTag(field) && field >= 1 && field <= 3) {
        if (field != lastKind) {
          lastKind = field;
          runStart = at;
        }
        in.readBytes();
      } else if (!in.skipField(tag)) {
        throw new InvalidProtocolBufferException("end-group tag without a start");
      }
    }
    return Feature.parseFrom(bytes.substring(runStart));
  }

  private static int lenTag(int field) {
    return field << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }
}

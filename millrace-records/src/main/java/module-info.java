/** TFRecord framing, compression, Example protos and fast decoding, sharded writing. */
module dev.millrace.records {
  requires transitive com.google.protobuf;
  requires transitive com.fasterxml.jackson.databind;

  exports dev.millrace.records;
  exports dev.millrace.records.proto;

  opens dev.millrace.records to
      com.fasterxml.jackson.databind;
}

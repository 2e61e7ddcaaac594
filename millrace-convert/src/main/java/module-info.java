/** Converters from IDX, CIFAR-10 (pickle and binary) and image folders to TFRecord shards. */
module dev.millrace.convert {
  requires transitive dev.millrace.records;
  requires org.apache.commons.compress;

  exports dev.millrace.convert;
  exports dev.millrace.convert.spi;

  uses dev.millrace.convert.spi.ConversionEngine;
}

package dev.millrace.convert.internal;

import dev.millrace.convert.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * {@code cifar-10-binary.tar.gz}, exactly as distributed, to the splits of {@link CifarLayout}.
 * Each {@code .bin} entry is a run of 3073-byte records: one label byte, then 3072 planar pixel
 * bytes. The entries' bytes are used in place (pixels and labels interleaved), never copied; all
 * six (184 MB for the real data set) are held until written, as for the pickled version.
 */
public final class CifarBinaryConverter {
  private static final int RECORD_BYTES = 1 + CifarLayout.IMAGE_BYTES;
  private static final String SUFFIX = ".bin";

  private CifarBinaryConverter() {}

  public static void convert(Path archive, Conversion conversion) throws IOException {
    Map<String, PixelBatch> batches = new HashMap<>();
    try (TarReader tar = TarReader.open(archive)) {
      for (TarArchiveEntry e = tar.next(); e != null; e = tar.next()) {
        String base = TarReader.baseName(e.getName());
        if (!CifarLayout.isBatch(base, SUFFIX) || !(e.isFile() || TarReader.isLink(e))) {
          continue;
        }
        if (batches.containsKey(base)) {
          throw BadInputException.inEntry(archive, e.getName(), "second entry named " + base);
        }
        if (e.getSize() % RECORD_BYTES != 0) {
          long whole = e.getSize() / RECORD_BYTES;
          throw BadInputException.inEntryRecord(
              archive,
              e.getName(),
              whole * RECORD_BYTES,
              whole,
              "size "
                  + e.getSize()
                  + " bytes is not a multiple of "
                  + RECORD_BYTES
                  + " (1 label byte + 3072 pixel bytes per record): the last record is truncated"
                  + " to "
                  + e.getSize() % RECORD_BYTES
                  + " bytes");
        }
        if (TarReader.isLink(e)) {
          throw TarReader.linkNotFile(archive, e);
        }
        byte[] bytes = tar.read(e, CifarLayout.MAX_ENTRY_BYTES);
        int rows = bytes.length / RECORD_BYTES;
        for (int i = 0; i < rows; i++) {
          int label = bytes[i * RECORD_BYTES] & 0xff;
          if (label >= CifarLayout.CLASSES) {
            throw BadInputException.inEntryRecord(
                archive,
                e.getName(),
                (long) i * RECORD_BYTES,
                i,
                "label " + label + " is not a class 0..9");
          }
        }
        batches.put(
            base,
            new PixelBatch(
                bytes, 1, RECORD_BYTES, CifarLayout.IMAGE_BYTES, bytes, 0, RECORD_BYTES, rows));
      }
    }
    CifarLayout.writeSplits(archive, SUFFIX, batches, conversion);
  }
}

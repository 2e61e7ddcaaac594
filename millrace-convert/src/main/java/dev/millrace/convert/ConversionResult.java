package dev.millrace.convert;

import dev.millrace.records.Manifest;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a finished conversion wrote.
 *
 * @param manifest the manifest, as written to {@code outputDir/manifest.json}
 * @param outputDir the folder holding the shards and the manifest
 * @param elapsed wall-clock time of the whole conversion
 */
public record ConversionResult(Manifest manifest, Path outputDir, Duration elapsed) {}

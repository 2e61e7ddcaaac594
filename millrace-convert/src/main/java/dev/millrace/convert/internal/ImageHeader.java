package dev.millrace.convert.internal;

/**
 * What an image file's header says, read without decoding the image.
 *
 * @param format {@code JPEG} or {@code PNG}, as TensorFlow's {@code image/format} spells it
 * @param height rows
 * @param width columns
 * @param channels colour channels including alpha: 1 (gray), 2 (gray + alpha), 3, 4
 * @param colorspace {@code Gray} (1–2 channels), {@code RGB} (3, or PNG's RGBA), or {@code CMYK} (a
 *     4-component JPEG)
 */
public record ImageHeader(String format, int height, int width, int channels, String colorspace) {}

package dev.millrace.convert.internal;

/**
 * A Python {@code bytearray} from a pickle (protocol 5's BYTEARRAY8): the buffer numpy writes a
 * writable array's data into. Mutable in Python, so unlike {@link PyBytes} it is no dict key.
 *
 * @param bytes its content, a view into the pickle's buffer
 */
public record PyByteArray(PyBytes bytes) {}

package dev.millrace.records;

/**
 * What a set of Examples holds under one feature name.
 *
 * @param name the feature's key
 * @param type its kind; {@link FeatureType#NONE} only if no Example set a list
 * @param minLength fewest values in one Example that has the feature
 * @param maxLength most values in one Example that has the feature
 * @param minValueBytes for bytes features, the shortest single value; else -1
 * @param maxValueBytes for bytes features, the longest single value; else -1
 * @param examples how many Examples have the feature
 * @param mixedTypes true when Examples disagree on the kind
 */
public record FeatureSchema(
    String name,
    FeatureType type,
    long minLength,
    long maxLength,
    long minValueBytes,
    long maxValueBytes,
    long examples,
    boolean mixedTypes) {}

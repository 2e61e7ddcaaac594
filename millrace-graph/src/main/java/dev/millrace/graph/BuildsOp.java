package dev.millrace.graph;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the op type a method of the typed API ({@link Ops}, {@link NnOps}) builds, so that a test
 * can check every registered op against the typed API: that some method builds it, and that the
 * method's type bound is the one the op's definition allows.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface BuildsOp {
  /** The op type ({@code Conv2D}). */
  String value();

  /**
   * The type attribute the method's type bound stands for; empty: that of the op's output 0, else
   * of its input 0.
   */
  String typeAttr() default "";

  /**
   * True if the method accepts fewer types than the definition, on purpose ({@code fill} takes
   * numbers only): its types must then all be allowed by the definition.
   */
  boolean narrower() default false;
}

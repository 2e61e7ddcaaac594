package dev.millrace.profile.internal.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;

/**
 * The fixed parts of the page: its template, style sheet and script, and the chart library (uPlot)
 * with its style sheet, read from uPlot's WebJar on the class path so that the page can carry them
 * inline and open without a network.
 *
 * @param template the page with {@code {{name}}} placeholders
 * @param reportCss the page's style sheet
 * @param reportJs the script that draws the charts
 * @param library the chart library's name and version, such as {@code uPlot 1.6.30}
 * @param libraryJs the chart library, minified
 * @param libraryCss the chart library's style sheet
 */
record PageAssets(
    String template,
    String reportCss,
    String reportJs,
    String library,
    String libraryJs,
    String libraryCss) {

  private static final String WEBJAR = "org.webjars.npm:uplot";
  private static final String WEBJAR_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
  private static final String WEBJAR_DIST = "META-INF/resources/webjars/uplot/%s/dist/";

  /** Read once: the assets never change while the JVM runs. */
  private static final class Holder {
    static final PageAssets ASSETS = load();
  }

  static PageAssets get() {
    return Holder.ASSETS;
  }

  private static PageAssets load() {
    String version = webjarVersion();
    String dist = String.format(Locale.ROOT, WEBJAR_DIST, version);
    String css = ownResource("report.css");
    String libraryCss = webjarResource(dist + "uPlot.min.css");
    return new PageAssets(
        ownResource("report.html"),
        inlineable(css, "style", "report.css"),
        inlineable(ownResource("report.js"), "script", "report.js"),
        "uPlot " + version,
        inlineable(webjarResource(dist + "uPlot.iife.min.js"), "script", "uPlot.iife.min.js"),
        inlineable(libraryCss, "style", "uPlot.min.css"));
  }

  private static String webjarVersion() {
    Properties pom = new Properties();
    try (InputStream in = loader().getResourceAsStream(WEBJAR_POM)) {
      if (in == null) {
        throw new IllegalStateException(
            "the chart library's WebJar "
                + WEBJAR
                + " is not on the class path ("
                + WEBJAR_POM
                + ")");
      }
      pom.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + WEBJAR_POM, e);
    }
    String version = pom.getProperty("version");
    if (version == null || version.isBlank()) {
      throw new IllegalStateException(WEBJAR_POM + " names no version");
    }
    return version.strip();
  }

  private static ClassLoader loader() {
    ClassLoader own = PageAssets.class.getClassLoader();
    return own != null ? own : ClassLoader.getSystemClassLoader();
  }

  private static String webjarResource(String path) {
    try (InputStream in = loader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(WEBJAR + " on the class path lacks " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path, e);
    }
  }

  private static String ownResource(String name) {
    try (InputStream in = PageAssets.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " beside " + PageAssets.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + name, e);
    }
  }

  /**
   * {@code text} unchanged, after checking that it cannot end the element it is placed in early:
   * inside {@code <script>} and {@code <style>} the HTML parser looks only for the closing tag
   * (and, in a script, {@code <!--}), whatever the language inside makes of it.
   */
  static String inlineable(String text, String element, String name) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.contains("</" + element) || (element.equals("script") && lower.contains("<!--"))) {
      throw new IllegalStateException(
          name + " contains </" + element + " or <!--, so it cannot be placed inline in the page");
    }
    return text;
  }
}

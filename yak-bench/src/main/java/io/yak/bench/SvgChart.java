package io.yak.bench;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * A hand-written SVG line chart: one polyline over a grid, tick labels, axis titles. Small and dependency-free; good
 * enough to eyeball a run in a browser.
 */
final class SvgChart {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 72;
    private static final int BOTTOM = 56;
    /** Markers on every point when the series is short enough to show them. */
    private static final int MAX_MARKED_POINTS = 60;

    /** An axis: its title, range, and ticks (positions in axis units, with their labels). */
    record Axis(String title, double min, double max, double[] ticks, String[] labels) {
        Axis {
            if (!(max > min)) {
                throw new IllegalArgumentException("axis " + title + ": max " + max + " <= min " + min);
            }
            if (ticks.length != labels.length) {
                throw new IllegalArgumentException("axis " + title + ": " + ticks.length + " ticks, "
                    + labels.length + " labels");
            }
        }

        /** A linear axis from 0 to a round number at or above {@code maxValue}, four to eight ticks. */
        static Axis linearFromZero(String title, double maxValue) {
            double top = maxValue > 0 && Double.isFinite(maxValue) ? maxValue : 1;
            double step = niceStep(top / 6);
            int n = (int) Math.ceil(top / step - 1e-9);
            double[] ticks = new double[n + 1];
            String[] labels = new String[n + 1];
            for (int i = 0; i <= n; i++) {
                ticks[i] = i * step;
                labels[i] = formatNumber(ticks[i]);
            }
            return new Axis(title, 0, n * step, ticks, labels);
        }
    }

    private SvgChart() {
    }

    /**
     * @param subtitle lines under the title, separated by {@code \n} (may be empty)
     * @param xs       x of each point, in {@code x} axis units (non-finite points are skipped)
     * @param ys       y of each point, in {@code y} axis units
     */
    static String line(String title, String subtitle, Axis x, Axis y, double[] xs, double[] ys) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException(xs.length + " x values, " + ys.length + " y values");
        }
        StringBuilder s = new StringBuilder(4096 + xs.length * 24);
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
            LEFT, escape(title)));
        String[] lines = subtitle.isEmpty() ? new String[0] : subtitle.split("\n");
        for (int i = 0; i < lines.length && i < 2; i++) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">%s</text>%n", LEFT, 40 + 16 * i,
                escape(lines[i])));
        }
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        for (int i = 0; i < y.ticks().length; i++) {
            double py = py(y, y.ticks()[i], plotH);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                LEFT, py, LEFT + plotW, py));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6,
                py + 4, escape(y.labels()[i])));
        }
        for (int i = 0; i < x.ticks().length; i++) {
            double px = px(x, x.ticks()[i], plotW);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n",
                px, TOP, px, TOP + plotH));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px,
                TOP + plotH + 18, escape(x.labels()[i])));
        }
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
            + "stroke=\"#333\"/>%n", LEFT, TOP, plotW, plotH));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            LEFT + plotW / 2, HEIGHT - 12, escape(x.title())));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %d) rotate(-90)\" "
            + "text-anchor=\"middle\">%s</text>%n", TOP + plotH / 2, escape(y.title())));
        StringBuilder points = new StringBuilder(xs.length * 16);
        int shown = 0;
        for (int i = 0; i < xs.length; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(x, xs[i], plotW), py(y, ys[i], plotH)));
                shown++;
            }
        }
        s.append("<polyline fill=\"none\" stroke=\"#1f6fb4\" stroke-width=\"1.8\" points=\"")
            .append(points.toString().trim()).append("\"/>\n");
        if (shown <= MAX_MARKED_POINTS) {
            for (int i = 0; i < xs.length; i++) {
                if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                    s.append(String.format(Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#1f6fb4\"/>%n", px(x, xs[i], plotW),
                        py(y, ys[i], plotH)));
                }
            }
        }
        return s.append("</svg>\n").toString();
    }

    private static double px(Axis x, double v, int plotW) {
        return LEFT + (clamp(v, x) - x.min()) / (x.max() - x.min()) * plotW;
    }

    private static double py(Axis y, double v, int plotH) {
        return TOP + plotH - (clamp(v, y) - y.min()) / (y.max() - y.min()) * plotH;
    }

    private static double clamp(double v, Axis a) {
        return Math.max(a.min(), Math.min(a.max(), v));
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / magnitude;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    /** 1500000 -> 1.5M, 2500 -> 2.5k, 0.25 -> 0.25. */
    static String formatNumber(double v) {
        if (Math.abs(v) >= 1e6) {
            return plain(v / 1e6) + "M";
        }
        if (Math.abs(v) >= 1e3) {
            return plain(v / 1e3) + "k";
        }
        return plain(v);
    }

    private static String plain(double v) {
        return new BigDecimal(String.format(Locale.ROOT, "%.4f", v)).stripTrailingZeros().toPlainString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

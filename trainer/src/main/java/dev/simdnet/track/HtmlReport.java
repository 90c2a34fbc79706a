package dev.simdnet.track;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code runs report}: one self-contained HTML file (inline CSS, a few lines of inline script, SVG charts; no
 * external script, font or request) with the runs table, the learning curves of the runs overlaid, a
 * parallel-coordinates view of the hyper-parameters against validation accuracy, and each run's confusion
 * matrix. The markup is well-formed XML as well as HTML, so tests (and other tools) can parse it.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** Config fields never drawn as parallel-coordinate axes: they do not change what is learned. */
    private static final Set<String> NOT_HYPER = Set.of("threads");
    private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf"};

    /** A run with what the report draws of it: metrics.csv rows and the confusion matrix (may be null). */
    private record Run(RunInfo info, List<Map<String, Double>> epochs, int[][] confusion, String color) {}

    public static String render(RunStore store, List<RunInfo> infos, Instant now) throws IOException {
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < infos.size(); i++) {
            RunInfo r = infos.get(i);
            runs.add(new Run(r, store.metrics(r.id()), store.confusion(r.id()), PALETTE[i % PALETTE.length]));
        }
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>simdnet runs</title>\n");
        h.append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>simdnet runs</h1>\n<p class=\"meta\">").append(runs.size()).append(" runs from ").append(esc(store.root().toAbsolutePath().toString()))
                .append(", generated ").append(esc(now.toString())).append(". Tick a run to show or hide its curves; click a column to sort.</p>\n");
        table(h, runs);
        h.append("<h2 id=\"curves\">Learning curves</h2>\n<div class=\"charts\">\n");
        curves(h, runs, "val_accuracy", "validation accuracy");
        curves(h, runs, "train_loss", "training loss");
        h.append("</div>\n<h2 id=\"parallel\">Hyper-parameters against validation accuracy</h2>\n");
        parallel(h, runs);
        h.append("<h2 id=\"confusion\">Confusion matrices (test set; rows: true class, columns: predicted)</h2>\n<div class=\"matrices\">\n");
        for (int i = 0; i < runs.size(); i++) confusion(h, runs.get(i), i);
        h.append("</div>\n<script>\n//<![CDATA[\n").append(SCRIPT).append("//]]>\n</script>\n</body>\n</html>\n");
        return h.toString();
    }

    // ---------------------------------------------------------------- the table

    private static final List<String> TABLE = List.of("state", "model", "dataset", "epochs", "batch", "lr", "optimizer", "dropout",
            "augment", "best_val_accuracy", "test_accuracy", "parameters", "train_seconds");

    private static void table(StringBuilder h, List<Run> runs) {
        h.append("<h2 id=\"runs\">Runs</h2>\n<table id=\"runs-table\" class=\"runs\">\n<thead><tr><th>show</th><th>id</th>");
        for (String c : TABLE) h.append("<th>").append(esc(c)).append("</th>");
        h.append("<th>tags</th><th>note</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            h.append("<tr><td><input type=\"checkbox\" checked=\"checked\" data-run=\"").append(i).append("\"/><span class=\"swatch\" style=\"background:")
                    .append(r.color()).append("\"></span></td><td><a href=\"#cm-").append(i).append("\">").append(esc(r.info().id())).append("</a></td>");
            for (String c : TABLE) {
                Object v = c.equals("epochs") ? r.info().config().get("epochs") : r.info().field(c);
                h.append(v instanceof Number ? "<td class=\"num\">" : "<td>").append(esc(RunText.format(v))).append("</td>");
            }
            h.append("<td>").append(esc(RunText.tagText(r.info().tags()))).append("</td><td>").append(esc(r.info().note())).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");
    }

    // ---------------------------------------------------------------- learning curves

    private static final int W = 560, H = 300, L = 56, R = 16, T = 28, B = 40;

    private static void curves(StringBuilder h, List<Run> runs, String metric, String title) {
        double maxEpoch = 1, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Run r : runs)
            for (Map<String, Double> e : r.epochs()) {
                Double v = e.get(metric);
                if (v == null || !Double.isFinite(v)) continue;
                maxEpoch = Math.max(maxEpoch, e.getOrDefault("epoch", 1.0));
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        h.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" data-metric=\"").append(metric).append("\">\n");
        h.append("<text x=\"").append(W / 2).append("\" y=\"18\" text-anchor=\"middle\" class=\"title\">").append(esc(title)).append("</text>\n");
        if (lo > hi) {
            h.append("<text x=\"").append(W / 2).append("\" y=\"").append(H / 2).append("\" text-anchor=\"middle\">no epochs recorded</text>\n</svg>\n");
            return;
        }
        if (hi - lo < 1e-9) { lo -= 0.01; hi += 0.01; }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
        axes(h, 0, maxEpoch, lo, hi, "epoch");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            StringBuilder pts = new StringBuilder();
            int n = 0;
            for (Map<String, Double> e : r.epochs()) {
                Double v = e.get(metric);
                if (v == null || !Double.isFinite(v)) continue;
                double x = L + (W - L - R) * e.getOrDefault("epoch", 1.0) / maxEpoch, y = T + (H - T - B) * (hi - v) / (hi - lo);
                pts.append(n++ == 0 ? "" : " ").append(f1(x)).append(',').append(f1(y));
            }
            if (n == 0) continue;
            h.append("<g class=\"run-").append(i).append("\"><title>").append(esc(r.info().id())).append("</title>");
            if (n > 1) h.append("<polyline fill=\"none\" stroke=\"").append(r.color()).append("\" stroke-width=\"1.5\" points=\"").append(pts).append("\"/>");
            String last = pts.substring(pts.lastIndexOf(" ") + 1);
            h.append("<circle r=\"2.5\" fill=\"").append(r.color()).append("\" cx=\"").append(last, 0, last.indexOf(',')).append("\" cy=\"")
                    .append(last.substring(last.indexOf(',') + 1)).append("\"/></g>\n");
        }
        h.append("</svg>\n");
    }

    private static void axes(StringBuilder h, double x0, double x1, double y0, double y1, String xLabel) {
        int px0 = L, px1 = W - R, py0 = H - B, py1 = T;
        h.append("<g class=\"axes\"><line x1=\"").append(px0).append("\" y1=\"").append(py0).append("\" x2=\"").append(px1).append("\" y2=\"").append(py0).append("\"/>")
                .append("<line x1=\"").append(px0).append("\" y1=\"").append(py0).append("\" x2=\"").append(px0).append("\" y2=\"").append(py1).append("\"/>");
        for (int k = 0; k <= 4; k++) {
            double yv = y0 + (y1 - y0) * k / 4, py = py0 - (py0 - py1) * k / 4.0;
            h.append("<text x=\"").append(px0 - 4).append("\" y=\"").append(f1(py + 4)).append("\" text-anchor=\"end\">").append(esc(tick(yv))).append("</text>");
            h.append("<line class=\"grid\" x1=\"").append(px0).append("\" y1=\"").append(f1(py)).append("\" x2=\"").append(px1).append("\" y2=\"").append(f1(py)).append("\"/>");
            double xv = x0 + (x1 - x0) * k / 4, px = px0 + (px1 - px0) * k / 4.0;
            h.append("<text x=\"").append(f1(px)).append("\" y=\"").append(py0 + 16).append("\" text-anchor=\"middle\">").append(esc(tick(xv))).append("</text>");
        }
        h.append("<text x=\"").append((px0 + px1) / 2).append("\" y=\"").append(H - 6).append("\" text-anchor=\"middle\">").append(esc(xLabel)).append("</text></g>\n");
    }

    // ---------------------------------------------------------------- parallel coordinates

    /** One axis: a numeric range (log-scaled when it spans 20x or more) or a set of categories. */
    private record Axis(String name, boolean numeric, double lo, double hi, boolean log, List<String> categories) {
        double position(Object v) {                                    // 0 (bottom) .. 1 (top), NaN if missing
            if (v == null) return Double.NaN;
            if (!numeric) {
                int i = categories.indexOf(RunText.format(v));
                return categories.size() == 1 ? 0.5 : (double) i / (categories.size() - 1);
            }
            double x = ((Number) v).doubleValue();
            if (hi == lo) return 0.5;
            return log ? (Math.log(x) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (x - lo) / (hi - lo);
        }
    }

    private static void parallel(StringBuilder h, List<Run> runs) {
        List<Axis> axes = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        for (Run r : runs) keys.addAll(r.info().config().keySet());
        for (String k : keys) {
            if (NOT_HYPER.contains(k)) continue;
            Axis a = axis(k, runs, false);
            if (a != null) axes.add(a);
        }
        Axis target = axis("best_val_accuracy", runs, true);
        int width = Math.max(480, 110 * (axes.size() + 1)), height = 320, top = 30, bottom = 50, left = 60;
        h.append("<svg class=\"parallel\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\">\n");
        if (target == null) {
            h.append("<text x=\"20\" y=\"40\">no run has a validation accuracy yet</text>\n</svg>\n");
            return;
        }
        if (axes.isEmpty()) h.append("<text x=\"20\" y=\"16\">the runs share every hyper-parameter</text>\n");
        axes.add(target);
        double step = axes.size() == 1 ? 0 : (width - 2.0 * left) / (axes.size() - 1);
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            Object acc = r.info().summary().get("best_val_accuracy");
            if (!(acc instanceof Number)) continue;
            double t = target.position(acc);
            StringBuilder pts = new StringBuilder();
            for (int a = 0; a < axes.size(); a++) {
                Axis ax = axes.get(a);
                double p = ax.position(a == axes.size() - 1 ? acc : r.info().config().get(ax.name()));
                if (Double.isNaN(p)) continue;
                pts.append(pts.isEmpty() ? "" : " ").append(f1(left + step * a)).append(',').append(f1(top + (height - top - bottom) * (1 - p)));
            }
            // colour: red (worst) to blue (best) validation accuracy
            String color = String.format(Locale.ROOT, "hsl(%d,70%%,45%%)", Math.round(240 * (Double.isNaN(t) ? 0.5 : t)));
            h.append("<polyline class=\"run-").append(i).append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-opacity=\"0.7\" points=\"")
                    .append(pts).append("\"><title>").append(esc(r.info().id() + ": " + RunText.format(acc))).append("</title></polyline>\n");
        }
        for (int a = 0; a < axes.size(); a++) {
            Axis ax = axes.get(a);
            double x = left + step * a;
            h.append("<g class=\"axes\"><line x1=\"").append(f1(x)).append("\" y1=\"").append(top).append("\" x2=\"").append(f1(x)).append("\" y2=\"")
                    .append(height - bottom).append("\"/>");
            h.append("<text x=\"").append(f1(x)).append("\" y=\"").append(height - bottom + 18).append("\" text-anchor=\"middle\" class=\"title\">")
                    .append(esc(ax.name())).append(ax.log() ? " (log)" : "").append("</text>");
            if (ax.numeric()) {
                label(h, x, height - bottom + 32, tick(ax.lo()));
                label(h, x, top - 8, tick(ax.hi()));
            } else {
                for (String c : ax.categories()) {
                    double p = ax.position(c);
                    label(h, x + 4, top + (height - top - bottom) * (1 - p) + 4, c);
                }
            }
            h.append("</g>\n");
        }
        h.append("</svg>\n");
    }

    private static void label(StringBuilder h, double x, double y, String text) {
        h.append("<text x=\"").append(f1(x)).append("\" y=\"").append(f1(y)).append("\">").append(esc(text)).append("</text>");
    }

    /** The axis of {@code key} over the runs; null when every run has the same value (nothing to see). */
    private static Axis axis(String key, List<Run> runs, boolean summary) {
        Set<String> seen = new TreeSet<>();
        boolean numeric = true;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Run r : runs) {
            Object v = summary ? r.info().summary().get(key) : r.info().config().get(key);
            if (v == null) continue;
            seen.add(RunText.format(v));
            if (v instanceof Number n) {
                lo = Math.min(lo, n.doubleValue());
                hi = Math.max(hi, n.doubleValue());
            } else numeric = false;
        }
        if (seen.isEmpty() || (!summary && seen.size() < 2)) return null;
        boolean log = numeric && lo > 0 && hi / lo >= 20;
        return new Axis(key, numeric, lo, hi, log, new ArrayList<>(seen));
    }

    // ---------------------------------------------------------------- confusion matrices

    private static void confusion(StringBuilder h, Run r, int index) {
        h.append("<div class=\"matrix\"><h3 id=\"cm-").append(index).append("\">").append(esc(r.info().id())).append("</h3>");
        int[][] c = r.confusion();
        if (c == null) {
            h.append("<p>no confusion matrix (").append(esc(r.info().state())).append(")</p></div>\n");
            return;
        }
        int max = 1;
        for (int t = 0; t < c.length; t++) for (int p = 0; p < c[t].length; p++) if (t != p) max = Math.max(max, c[t][p]);
        h.append("<table class=\"cm\"><tr><th></th>");
        for (int p = 0; p < c.length; p++) h.append("<th>").append(p).append("</th>");
        h.append("</tr>");
        for (int t = 0; t < c.length; t++) {
            h.append("<tr><th>").append(t).append("</th>");
            for (int p = 0; p < c[t].length; p++) {
                // the diagonal in green; errors in red, darker for more of them
                String bg = t == p ? "#d9f2d9" : c[t][p] == 0 ? "#ffffff"
                        : String.format(Locale.ROOT, "rgba(214,39,40,%.2f)", 0.15 + 0.85 * c[t][p] / max);
                h.append("<td style=\"background:").append(bg).append("\">").append(c[t][p]).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table></div>\n");
    }

    // ---------------------------------------------------------------- text

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (ch < 0x20 && ch != '\n' && ch != '\t') sb.append(' ');
                    else sb.append(ch);
                }
            }
        }
        return sb.toString();
    }

    /** A pixel coordinate to 0.1 (no Formatter: a report of 1,000 runs has ~100,000 of them). */
    private static String f1(double v) {
        long tenths = Math.round(v * 10);
        return tenths % 10 == 0 ? Long.toString(tenths / 10) : Double.toString(tenths / 10.0);
    }

    private static String tick(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return String.format(Locale.ROOT, "%.2g", v);
        return RunText.format(Double.parseDouble(String.format(Locale.ROOT, "%.4g", v)));
    }

    private static final String CSS = """
            body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
            h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; } h3 { font-size: 13px; margin: 4px 0; font-weight: normal; }
            .meta { color: #666; }
            table.runs { border-collapse: collapse; font-size: 12px; }
            table.runs th, table.runs td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
            table.runs th { cursor: pointer; background: #f4f4f4; position: sticky; top: 0; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            .swatch { display: inline-block; width: 10px; height: 10px; margin-left: 4px; }
            .charts { display: flex; flex-wrap: wrap; gap: 16px; }
            svg { background: #fff; border: 1px solid #eee; }
            svg text { font-size: 11px; fill: #333; } svg .title { font-size: 13px; }
            svg .axes line { stroke: #444; } svg .axes line.grid { stroke: #eee; }
            .matrices { display: flex; flex-wrap: wrap; gap: 12px; }
            table.cm { border-collapse: collapse; font-size: 10px; }
            table.cm td, table.cm th { border: 1px solid #eee; width: 30px; text-align: right; padding: 1px 3px; }
            .hidden { display: none; }
            """;

    /** Tick boxes show and hide a run's curves; a click on a column header sorts the table. */
    private static final String SCRIPT = """
            document.querySelectorAll('#runs-table input[type=checkbox]').forEach(function (box) {
              box.addEventListener('change', function () {
                document.querySelectorAll('.run-' + box.dataset.run).forEach(function (el) {
                  el.classList.toggle('hidden', !box.checked);
                });
              });
            });
            document.querySelectorAll('#runs-table th').forEach(function (th, col) {
              th.addEventListener('click', function () {
                var body = th.closest('table').tBodies[0];
                var rows = Array.prototype.slice.call(body.rows);
                var down = th.dataset.dir !== 'down';
                th.dataset.dir = down ? 'down' : 'up';
                rows.sort(function (a, b) {
                  var x = a.cells[col].textContent, y = b.cells[col].textContent;
                  var nx = parseFloat(x), ny = parseFloat(y);
                  var c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
                  return down ? -c : c;
                });
                rows.forEach(function (r) { body.appendChild(r); });
              });
            });
            """;
}

package dev.simdnet.track;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {

    private static RunStore threeRunsAndAKilledOne(Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        FakeRuns.finished(store, "mlp", 0.05f, 0.95, Map.of("idea", "<base & co>"), 1);
        FakeRuns.finished(store, "lenet5", 0.1f, 0.99, Map.of(), 2);
        FakeRuns.finished(store, "mlp", 0.2f, 0.97, Map.of(), 3);
        Path killed = Files.createDirectories(dir.resolve("20260101-000000-dead00"));
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        RecordFiles.writeJson(killed.resolve("status.json"), new RunStatus("running", Long.MAX_VALUE, null, t, t, null, null).toMap());
        return store;
    }

    @Test
    void theReportIsOneWellFormedSelfContainedFileWithEveryPart(@TempDir Path dir) throws Exception {
        RunStore store = threeRunsAndAKilledOne(dir);
        String html = HtmlReport.render(store, store.list(), Instant.parse("2026-02-03T04:05:06Z"));

        // well-formed: an XML parser reads it whole (no external DTD is fetched: there is none)
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("html");

        // self-contained: no external script, stylesheet, font or image
        assertThat(html).doesNotContain("<link").doesNotContain("src=").doesNotContain("@import").doesNotContain("url(");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://").doesNotContain("https://");

        // the runs table: one row per run, the killed one shown as killed, text escaped
        Element table = byId(doc, "runs-table");
        assertThat(table.getElementsByTagName("tbody").item(0).getChildNodes().getLength()).isGreaterThanOrEqualTo(4);
        assertThat(table.getTextContent()).contains("killed").contains("lenet5").contains("<base & co>");

        // learning curves: two charts, one polyline per run with 3 epochs in each
        List<Element> charts = elements(doc, "svg").stream().filter(e -> e.getAttribute("class").equals("chart")).toList();
        assertThat(charts).hasSize(2);
        assertThat(charts.get(0).getAttribute("data-metric")).isEqualTo("val_accuracy");
        assertThat(charts.get(0).getElementsByTagName("polyline").getLength()).isEqualTo(3);
        String points = ((Element) charts.get(0).getElementsByTagName("polyline").item(0)).getAttribute("points");
        assertThat(points.split(" ")).hasSize(3);

        // parallel coordinates: axes for model and lr (they vary), and the validation accuracy
        Element parallel = elements(doc, "svg").stream().filter(e -> e.getAttribute("class").equals("parallel")).findFirst().orElseThrow();
        assertThat(parallel.getTextContent()).contains("model").contains("lr").contains("best_val_accuracy").doesNotContain("threads");
        assertThat(parallel.getElementsByTagName("polyline").getLength()).isEqualTo(3);

        // a confusion matrix per finished run, a note for the killed one
        List<Element> cms = elements(doc, "table").stream().filter(e -> e.getAttribute("class").equals("cm")).toList();
        assertThat(cms).hasSize(3);
        assertThat(cms.get(0).getElementsByTagName("tr").getLength()).isEqualTo(11);
        assertThat(byId(doc, "confusion").getParentNode().getTextContent()).contains("no confusion matrix (killed)");
    }

    @Test
    void anEmptyReportIsStillValid(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        String html = HtmlReport.render(store, store.list(), Instant.EPOCH);
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertThat(html).contains("0 runs").contains("no epochs recorded");
    }

    @Test
    void theCsvExportHasOneRowPerRunAndOnePerEpoch(@TempDir Path dir) throws Exception {
        RunStore store = threeRunsAndAKilledOne(dir);
        List<String> lines = CsvExport.runs(store.list()).lines().toList();
        assertThat(lines).hasSize(5);
        List<String> header = RecordFiles.splitCsv(lines.get(0));
        assertThat(header).startsWith("id", "state", "started", "ended", "tags", "note").contains("config.lr", "test_accuracy");
        List<String> killed = RecordFiles.splitCsv(lines.get(1));
        assertThat(killed).hasSize(header.size());
        assertThat(killed.get(1)).isEqualTo("killed");
        List<String> first = RecordFiles.splitCsv(lines.get(2));
        assertThat(first.get(header.indexOf("tags"))).isEqualTo("idea=<base & co>");
        assertThat(first.get(header.indexOf("config.lr"))).isEqualTo("0.05");
        List<String> epochs = CsvExport.epochs(store, store.list()).lines().toList();
        assertThat(epochs).hasSize(1 + 9);
        assertThat(epochs.get(1)).matches("\\d{8}-\\d{6}-[0-9a-f]{6},1,.*");
    }

    private static Element byId(Document doc, String id) {
        for (Element e : elements(doc, "*")) if (id.equals(e.getAttribute("id"))) return e;
        throw new AssertionError("no element with id " + id);
    }

    private static List<Element> elements(Document doc, String tag) {
        NodeList l = doc.getElementsByTagName(tag);
        return java.util.stream.IntStream.range(0, l.getLength()).mapToObj(i -> (Element) l.item(i)).toList();
    }
}

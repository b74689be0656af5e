package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class SvgChartTest {
    @Test
    void shouldPickRoundTickSteps() {
        assertThat(SvgChart.niceStep(0.9)).isEqualTo(1.0);
        assertThat(SvgChart.niceStep(1.7)).isEqualTo(2.0);
        assertThat(SvgChart.niceStep(2.2)).isEqualTo(2.5);
        assertThat(SvgChart.niceStep(33)).isEqualTo(50.0);
        assertThat(SvgChart.niceStep(70_000)).isEqualTo(100_000.0);
        SvgChart.Axis a = SvgChart.Axis.linearFromZero("records/s", 523_412);
        assertThat(a.max()).isGreaterThanOrEqualTo(523_412);
        assertThat(a.labels()).containsExactly("0", "100k", "200k", "300k", "400k", "500k", "600k");
        assertThat(SvgChart.Axis.linearFromZero("empty", 0).max()).isEqualTo(1.0);
    }

    @Test
    void shouldFormatCompactNumbers() {
        assertThat(SvgChart.formatNumber(1_500_000)).isEqualTo("1.5M");
        assertThat(SvgChart.formatNumber(2_500)).isEqualTo("2.5k");
        assertThat(SvgChart.formatNumber(0.25)).isEqualTo("0.25");
        assertThat(SvgChart.formatNumber(0)).isEqualTo("0");
    }

    @Test
    void shouldDrawOnePolylineWithEveryFinitePointAndEscapedText() throws Exception {
        String svg = SvgChart.line("a < b & \"c\"", "sub", SvgChart.Axis.linearFromZero("x", 3),
            SvgChart.Axis.linearFromZero("y", 10), new double[] {0, 1, Double.NaN, 3}, new double[] {1, 5, 7, 10});
        Document d = parse(svg);
        Element line = (Element) d.getElementsByTagName("polyline").item(0);
        assertThat(line.getAttribute("points").split(" ")).hasSize(3);
        assertThat(d.getElementsByTagName("circle").getLength()).isEqualTo(3);
        assertThat(svg).contains("a &lt; b &amp; &quot;c&quot;");
    }

    @Test
    void shouldLabelPercentilesByDecade() {
        assertThat(ReportWriter.percentileLabel(0)).isEqualTo("0%");
        assertThat(ReportWriter.percentileLabel(1)).isEqualTo("90%");
        assertThat(ReportWriter.percentileLabel(2)).isEqualTo("99%");
        assertThat(ReportWriter.percentileLabel(3)).isEqualTo("99.9%");
        assertThat(ReportWriter.percentileLabel(5)).isEqualTo("99.999%");
    }

    @Test
    void shouldChartALatencyDistributionAndAThroughputTimeline() throws Exception {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 10_000; i++) {
            h.recordValue(i % 1000 == 0 ? 50_000 : 200 + i % 300);
        }
        ClientSettings c = new ClientSettings("1", 16384, 5, 0, 1000, java.util.Map.of(), java.util.Map.of());
        WorkloadSpec spec = new WorkloadSpec("W1", WorkloadSpec.Kind.PRODUCE, "t", 1, 10_000, 100, -1, 1, 1, c);
        Result r = new Result(spec, 10_000, 0, 1_000_000, 2_000_000_000L, h, "send to ack",
            List.of(new ProgressMeter.Sample(1, 4000, 0.4, 1.2), new ProgressMeter.Sample(2, 6000, 0.6, 50)), null,
            null);
        Document latency = parse(ReportWriter.latencyChart(r));
        String points = ((Element) latency.getElementsByTagName("polyline").item(0)).getAttribute("points");
        assertThat(points.split(" ").length).isGreaterThan(10);
        assertThat(ReportWriter.latencyChart(r)).contains("99.9%").contains("latency (ms)");
        Document throughput = parse(ReportWriter.throughputChart(r));
        String tp = ((Element) throughput.getElementsByTagName("polyline").item(0)).getAttribute("points");
        assertThat(tp.split(" ")).hasSize(4);
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
}

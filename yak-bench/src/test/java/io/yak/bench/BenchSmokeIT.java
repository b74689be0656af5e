package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** yak-bench against its embedded node with tiny counts: every record acknowledged, summary printed. */
class BenchSmokeIT {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldProduceEveryRecordAgainstAnEmbeddedNode() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BenchMain.run(new String[] {"produce", "--records", "5000", "--record-size", "64",
            "--partitions", "2"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        assertThat(out.toString()).contains("records 5000, acknowledged 5000, failed 0").contains("records/s");
    }

    @Test
    void shouldRejectBadArgumentsWithUsage() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BenchMain.run(new String[] {"produce", "--records", "-5"}, new PrintWriter(out, true),
            new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--records").contains("Usage");
    }
}

package net.flexnbd.steps.report;

import io.cucumber.htmlformatter.MessagesToHtmlWriter;
import io.cucumber.messages.ndjson.Serializer;
import io.cucumber.messages.types.Envelope;
import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Cucumber's HTML report ({@code html:FILE}) for spec writers: features named by their
 * {@code Feature:} line, and a failed step's evidence (the servers' logs) shown under that
 * step; see {@link ReportMessages}. Used as {@code net.flexnbd.steps.report.HtmlReport:FILE}.
 */
public final class HtmlReport implements ConcurrentEventListener {
    private final MessagesToHtmlWriter writer;
    private final ReportMessages messages = new ReportMessages();

    public HtmlReport(OutputStream out) throws IOException {
        Serializer json = new Serializer();
        this.writer = MessagesToHtmlWriter.builder(json::writeValue).title("flexnbd scenarios").build(out);
    }

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(Envelope.class, this::write);
    }

    private synchronized void write(Envelope envelope) {
        try {
            writer.write(messages.rewrite(envelope));
            if (envelope.getTestRunFinished().isPresent()) {
                writer.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the HTML report: " + e.getMessage(), e);
        }
    }
}

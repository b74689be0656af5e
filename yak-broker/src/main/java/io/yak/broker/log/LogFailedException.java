package io.yak.broker.log;

import java.io.IOException;

/**
 * An append or flush refused because the log failed earlier (a write or roll failed half way, e.g. a full disk) and
 * has not been reopened. The failure itself was logged once, with its cause; callers log refusals quietly.
 */
public final class LogFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    LogFailedException(String message, IOException failure) {
        super(message, failure);
    }
}

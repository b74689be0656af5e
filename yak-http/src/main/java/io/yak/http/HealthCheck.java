package io.yak.http;

import java.util.ArrayList;
import java.util.List;

/** Whether a server is ready to serve: the reasons it is not, none when it is. Asked from the HTTP thread. */
@FunctionalInterface
public interface HealthCheck {
    List<String> notReadyReasons();

    /** Ready when every check is. */
    static HealthCheck all(HealthCheck... checks) {
        return () -> {
            List<String> reasons = new ArrayList<>();
            for (HealthCheck c : checks) {
                reasons.addAll(c.notReadyReasons());
            }
            return reasons;
        };
    }
}

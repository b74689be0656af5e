package io.yak.bench;

/**
 * Facts about one invocation, for the JSON summary.
 *
 * @param command    the arguments as given
 * @param startedAt  ISO-8601 start time
 * @param embedded   whether the node ran in this JVM
 * @param bootstrap  the coordinator address used
 */
record RunInfo(String command, String startedAt, boolean embedded, String bootstrap) {
}

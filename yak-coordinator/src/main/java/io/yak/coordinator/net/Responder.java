package io.yak.coordinator.net;

import io.netty.channel.Channel;
import io.yak.wire.message.Frame;

/** Where the answer to one connection's requests goes. Implemented by the connection's request handler. */
interface Responder {
    Channel channel();

    /** Writes a response and counts its request as done. Any thread. */
    void respond(Frame response);

    /** Writes a response, then closes the connection (after a programmer error). Any thread. */
    void fail(Frame response);
}

// DnstapSocketSource: a Frame Streams receiver on a Unix socket, speaking
// the bidirectional handshake (READY -> ACCEPT, START, data, STOP ->
// FINISH) so Unbound, Knot Resolver, PowerDNS and BIND can stream dnstap
// to nsradar directly. Several senders may be connected at once; one
// thread serves them all with poll(2). Memory is bounded: at most 64
// senders, frames of at most 1 MiB (frame_stream.h). The socket is made
// mode 0660 with its directory's group: the resolver's user joins that
// group, and no one else can inject traffic.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "ingest/source.h"

namespace nsradar::ingest {

// Listens on `path` (replacing a stale socket file) until *stop is true;
// Run() returns after closing the socket and emitting waiting queries.
std::unique_ptr<EventSource> NewDnstapSocketSource(const std::string& path, const SourceOptions& options,
                                                   const std::atomic<bool>* stop);

}  // namespace nsradar::ingest

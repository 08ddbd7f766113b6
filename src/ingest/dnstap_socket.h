// DnstapSocketSource: a Frame Streams receiver on a Unix socket, speaking
// the bidirectional handshake (READY -> ACCEPT, START, data, STOP ->
// FINISH) so Unbound, Knot Resolver, PowerDNS and BIND can stream dnstap
// to nsradar directly. Several senders may be connected at once; one
// thread serves them all with poll(2). Memory is bounded: at most
// kMaxConnections senders, frames of at most 1 MiB.
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

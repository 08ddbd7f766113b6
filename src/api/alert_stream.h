// AlertStream: alerts as they are kept, to every client of
// GET /v2/alerts/stream, as server-sent events (text/event-stream), so the
// web UI's alert list grows without polling.
//
// Each event is `id: EPOCH-N`, `event: alert` and the alert's JSON (as kept
// in the store) as its data; N counts alerts from 1 and EPOCH is when this
// stream began (µs), so an id from another process's stream is told apart.
// A client reconnecting with Last-Event-ID gets the alerts it missed from
// the last `history` ones; when they are gone, or the id is another
// stream's, it gets `event: reset` (reload the list) and goes on from now.
// Without Last-Event-ID a client starts from now (it loads the list first).
// A comment line (`: heartbeat`) goes out when nothing else did for
// `heartbeat`, so proxies and the client see a live connection.
//
// Bounds: at most `max_clients` streams at once (503 beyond); each client
// queues at most `queue` events, and a client that falls that far behind
// (it stopped reading; the server's writes wait on it) is dropped and
// counted. Its EventSource reconnects with its Last-Event-ID.
//
// Thread-safe. A stream's answer (Response::stream) keeps the AlertStream's
// state alive by itself, so an answer may outlive nothing it needs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/request.h"

namespace nsradar::api {

struct AlertStreamOptions {
  size_t queue = 256;     // events waiting per client
  size_t history = 1024;  // the last alerts, for Last-Event-ID
  size_t max_clients = 64;
  std::chrono::milliseconds heartbeat{15000};
  // How often a client's answer looks for new events (the server waits
  // this long between looks when there was nothing).
  std::chrono::milliseconds poll{200};
};

class AlertStream {
 public:
  explicit AlertStream(AlertStreamOptions options = {});
  ~AlertStream();

  // Sends one alert (its JSON) to every client, and keeps it for resumes.
  void Publish(std::string_view alert_json);
  // The answer to a client: an endless text/event-stream (Response::stream,
  // with stream_wait), or 503 at max_clients. `last_event_id` is the
  // Last-Event-ID header ("" when none).
  Response Subscribe(std::string_view last_event_id);

  size_t clients() const;
  uint64_t dropped_clients() const;
  // Prometheus lines: clients connected, clients dropped, alerts published.
  void AppendMetrics(std::string* out) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace nsradar::api

#include "api/alert_stream.h"

#include <fmt/format.h>

#include <charconv>
#include <deque>
#include <list>
#include <mutex>

#include "api/internal/params.h"

namespace nsradar::api {
namespace {

using Clock = std::chrono::steady_clock;
using Event = std::shared_ptr<const std::string>;  // one formatted event, shared by every client's queue

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The event for alert `n`: its data is the JSON, one `data:` line per line
// of it (an event ends at the first empty line).
std::string FormatEvent(int64_t epoch, uint64_t n, std::string_view json) {
  std::string out = fmt::format("id: {}-{}\nevent: alert\n", epoch, n);
  for (size_t pos = 0; pos <= json.size();) {
    size_t end = json.find('\n', pos);
    if (end == std::string_view::npos) end = json.size();
    std::string_view line = json.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += "data: ";
    out += line;
    out += '\n';
    pos = end + 1;
  }
  out += '\n';
  return out;
}

// "EPOCH-N" as its two numbers; false when it is not that.
bool ParseEventId(std::string_view id, int64_t* epoch, uint64_t* n) {
  const size_t dash = id.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == id.size()) return false;
  auto [e_end, e_ec] = std::from_chars(id.data(), id.data() + dash, *epoch);
  auto [n_end, n_ec] = std::from_chars(id.data() + dash + 1, id.data() + id.size(), *n);
  return e_ec == std::errc() && e_end == id.data() + dash && n_ec == std::errc() && n_end == id.data() + id.size();
}

}  // namespace

struct AlertStream::State {
  struct Client {
    std::deque<Event> queue;  // guarded by State::mu
    bool dropped = false;     // guarded by State::mu
  };

  explicit State(AlertStreamOptions o) : options(o), epoch(NowUs()) {}

  const AlertStreamOptions options;
  const int64_t epoch;
  mutable std::mutex mu;  // guards everything below
  uint64_t published = 0;
  uint64_t dropped = 0;
  std::deque<Event> history;  // the last options.history events; the last is number `published`
  std::list<std::weak_ptr<Client>> clients;

  size_t LiveClients() {
    clients.remove_if([](const std::weak_ptr<Client>& w) { return w.expired(); });
    return clients.size();
  }
};

AlertStream::AlertStream(AlertStreamOptions options) : state_(std::make_shared<State>(options)) {}
AlertStream::~AlertStream() = default;

void AlertStream::Publish(std::string_view alert_json) {
  State& s = *state_;
  std::lock_guard lock(s.mu);
  auto event = std::make_shared<const std::string>(FormatEvent(s.epoch, ++s.published, alert_json));
  s.history.push_back(event);
  if (s.history.size() > s.options.history) s.history.pop_front();
  for (auto it = s.clients.begin(); it != s.clients.end();) {
    auto client = it->lock();
    if (!client) {
      it = s.clients.erase(it);
      continue;
    }
    if (!client->dropped) {
      if (client->queue.size() >= s.options.queue) {
        // It stopped reading: drop it rather than hold events for ever.
        client->dropped = true;
        client->queue.clear();
        ++s.dropped;
      } else {
        client->queue.push_back(event);
      }
    }
    ++it;
  }
}

Response AlertStream::Subscribe(std::string_view last_event_id) {
  auto client = std::make_shared<State::Client>();
  std::string first;  // what the client gets at once
  {
    State& s = *state_;
    std::lock_guard lock(s.mu);
    if (s.LiveClients() >= s.options.max_clients) {
      Response r = ErrorResponse(503, fmt::format("at most {} alert streams at once; retry later (or poll /v2/alerts)",
                                                  s.options.max_clients));
      r.headers.emplace_back("Retry-After", "5");
      return r;
    }
    // Tells EventSource how long to wait before reconnecting.
    first = fmt::format("retry: 3000\n: nsradar alert stream, {} alerts published\n\n", s.published);
    if (!last_event_id.empty()) {
      int64_t epoch = 0;
      uint64_t n = 0;
      const uint64_t oldest = s.published - s.history.size() + 1;  // number of history.front()
      if (ParseEventId(last_event_id, &epoch, &n) && epoch == s.epoch && n <= s.published && n + 1 >= oldest) {
        for (uint64_t k = n + 1; k <= s.published; ++k) client->queue.push_back(s.history[k - oldest]);
      } else {
        first += "event: reset\ndata: {}\n\n";
      }
    }
    s.clients.push_back(client);
  }
  Response r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: pass events on at once
  r.stream_wait = state_->options.poll;
  r.stream = [state = state_, client, first = std::move(first), last_sent = Clock::now()](std::string* chunk) mutable {
    if (!first.empty()) chunk->swap(first);
    {
      std::lock_guard lock(state->mu);
      if (client->dropped) return false;
      // A bounded piece per call: the queue itself is bounded.
      while (!client->queue.empty()) {
        *chunk += *client->queue.front();
        client->queue.pop_front();
      }
    }
    const auto now = Clock::now();
    if (chunk->empty() && now - last_sent >= state->options.heartbeat) *chunk = ": heartbeat\n\n";
    if (!chunk->empty()) last_sent = now;
    return true;
  };
  return r;
}

size_t AlertStream::clients() const {
  std::lock_guard lock(state_->mu);
  return state_->LiveClients();
}

uint64_t AlertStream::dropped_clients() const {
  std::lock_guard lock(state_->mu);
  return state_->dropped;
}

void AlertStream::AppendMetrics(std::string* out) const {
  std::lock_guard lock(state_->mu);
  fmt::format_to(std::back_inserter(*out),
                 "# HELP nsradar_alert_stream_clients Clients of GET /v2/alerts/stream.\n"
                 "# TYPE nsradar_alert_stream_clients gauge\n"
                 "nsradar_alert_stream_clients {}\n"
                 "# HELP nsradar_alert_stream_dropped_total Alert stream clients dropped for falling behind.\n"
                 "# TYPE nsradar_alert_stream_dropped_total counter\n"
                 "nsradar_alert_stream_dropped_total {}\n"
                 "# HELP nsradar_alert_stream_published_total Alerts sent to the alert stream.\n"
                 "# TYPE nsradar_alert_stream_published_total counter\n"
                 "nsradar_alert_stream_published_total {}\n",
                 state_->LiveClients(), state_->dropped, state_->published);
}

}  // namespace nsradar::api

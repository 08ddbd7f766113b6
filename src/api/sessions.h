// SessionTable: the web UI's sign-in sessions, kept only in this process.
//
// Signing in with an API key creates a session: a random id (32 bytes from
// the OpenSSL CSPRNG, 64 hex digits) that goes to the browser in an
// HttpOnly cookie, and server-side the digest of the key it stands for, so
// the key itself is never sent again. The table is keyed by SHA-256 of the
// id, so the ids are not in memory. A session ends when signed out, after
// `idle` without use, or `lifetime` after sign-in, whichever comes first; at
// `max_sessions` the least recently used one makes room for a new one.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/api_keys.h"

namespace nsradar::api {

struct SessionOptions {
  std::chrono::seconds idle{std::chrono::hours(1)};
  std::chrono::seconds lifetime{std::chrono::hours(12)};
  size_t max_sessions = 10000;
};

class SessionTable {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SessionTable(SessionOptions options = {}) : options_(options) {}

  // A new session for the key whose digest is `key`; returns its id.
  std::string Create(const KeyDigest& key, Clock::time_point now = Clock::now());
  // The key digest of the live session `id` (and the session is used now);
  // nullopt for an unknown, ended or malformed id.
  std::optional<KeyDigest> Find(std::string_view id, Clock::time_point now = Clock::now());
  // Ends the session `id`, if there is one.
  void Erase(std::string_view id);
  size_t size() const;

  const SessionOptions& options() const { return options_; }

 private:
  struct Session {
    KeyDigest key;
    Clock::time_point created, used;
  };
  bool Live(const Session& s, Clock::time_point now) const;
  // Drops ended sessions, then the least recently used until one fits.
  void MakeRoom(Clock::time_point now);

  const SessionOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<KeyDigest, Session, KeyDigestHash> sessions_;  // by digest of the id
};

// True when `id` has the shape of a session id (64 lower-case hex digits).
bool IsWellFormedSessionId(std::string_view id);

}  // namespace nsradar::api

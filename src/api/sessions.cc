#include "api/sessions.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace nsradar::api {

bool IsWellFormedSessionId(std::string_view id) {
  return id.size() == 64 &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string SessionTable::Create(const KeyDigest& key, Clock::time_point now) {
  std::array<unsigned char, 32> random;
  // Without randomness a session id could be guessed: refuse to go on.
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) std::abort();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(64);
  for (unsigned char b : random) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  std::lock_guard lock(mu_);
  MakeRoom(now);
  sessions_[DigestKey(id)] = Session{key, now, now};
  return id;
}

bool SessionTable::Live(const Session& s, Clock::time_point now) const {
  return now - s.used < options_.idle && now - s.created < options_.lifetime;
}

void SessionTable::MakeRoom(Clock::time_point now) {
  std::erase_if(sessions_, [&](const auto& entry) { return !Live(entry.second, now); });
  while (!sessions_.empty() && sessions_.size() >= options_.max_sessions) {
    KeyDigest victim{};
    Clock::time_point oldest_use = Clock::time_point::max();
    for (const auto& [id, s] : sessions_) {
      if (s.used < oldest_use) {
        victim = id;
        oldest_use = s.used;
      }
    }
    sessions_.erase(victim);
  }
}

std::optional<KeyDigest> SessionTable::Find(std::string_view id, Clock::time_point now) {
  if (!IsWellFormedSessionId(id)) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = sessions_.find(DigestKey(id));
  if (it == sessions_.end()) return std::nullopt;
  if (!Live(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.used = now;
  return it->second.key;
}

void SessionTable::Erase(std::string_view id) {
  if (!IsWellFormedSessionId(id)) return;
  std::lock_guard lock(mu_);
  sessions_.erase(DigestKey(id));
}

size_t SessionTable::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace nsradar::api

#include "api/api_keys.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace nsradar::api {

size_t KeyDigestHash::operator()(const KeyDigest& d) const {
  size_t h;
  std::memcpy(&h, d.data(), sizeof h);  // a SHA-256 digest is already uniform
  return h;
}

bool IsWellFormedKey(std::string_view key) {
  if (key.size() != 32 || !key.starts_with("at_")) return false;
  return std::all_of(key.begin() + 3, key.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

KeyDigest DigestKey(std::string_view key) {
  KeyDigest d;
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), d.data());
  return d;
}

Status ApiKeys::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError(path + ": cannot open the API key file");
  std::unordered_set<KeyDigest, KeyDigestHash> digests;
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    std::string_view v(line);
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    if (v.empty() || v.front() == '#') continue;
    if (!IsWellFormedKey(v)) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_no) +
                                     ": not an API key (expected at_ and 29 lower-case letters or digits)");
    }
    digests.insert(DigestKey(v));
  }
  if (in.bad()) return Status::IOError(path + ": read error");
  std::unique_lock lock(mu_);
  digests_.swap(digests);
  return Status::OK();
}

bool ApiKeys::Find(std::string_view key, KeyDigest* digest) const {
  if (!IsWellFormedKey(key)) return false;
  *digest = DigestKey(key);
  std::shared_lock lock(mu_);
  return digests_.contains(*digest);
}

bool ApiKeys::Contains(const KeyDigest& digest) const {
  std::shared_lock lock(mu_);
  return digests_.contains(digest);
}

size_t ApiKeys::size() const {
  std::shared_lock lock(mu_);
  return digests_.size();
}

bool RateLimiter::Allow(const KeyDigest& key, Clock::time_point now) {
  if (rate_ <= 0) return true;
  std::lock_guard lock(mu_);
  auto [it, inserted] = buckets_.try_emplace(key);
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = rate_;
  } else {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(rate_, b.tokens + elapsed * rate_);
  }
  b.updated = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace nsradar::api

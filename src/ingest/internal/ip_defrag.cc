#include "ingest/internal/ip_defrag.h"

#include <cstring>

namespace nsradar::ingest {

size_t IpDefrag::KeyHash::operator()(const Key& k) const {
  uint64_t a, b;
  std::memcpy(&a, k.src.bytes.data(), 8);
  std::memcpy(&b, k.dst.bytes.data(), 8);
  return static_cast<size_t>((a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL) ^
                             (static_cast<uint64_t>(k.id) << 8 | k.protocol));
}

IpDefrag::Result IpDefrag::Add(const Fragment& f, std::string* payload, const char** reason) {
  while (!ages_.empty()) {
    auto old = pending_.find(ages_.front());
    if (old == pending_.end()) {
      ages_.pop_front();
      continue;
    }
    if (f.ts_us - old->second.first_ts < kTimeoutUs && pending_.size() < kMaxDatagrams) break;
    ages_.pop_front();
    pending_.erase(old);
  }
  if (f.offset + f.size > 65535) {
    *reason = "ip_fragment_beyond_64k";
    return Result::kDropped;
  }
  Key key{f.src, f.dst, f.id, f.protocol};
  // Not a structured binding: clang 14 cannot capture those in the lambda.
  auto emplaced = pending_.try_emplace(key);
  auto it = emplaced.first;
  const bool inserted = emplaced.second;
  Datagram& d = it->second;
  if (inserted) {
    d.first_ts = f.ts_us;
    ages_.push_back(key);
    d.age = std::prev(ages_.end());
  }
  auto drop = [&](const char* why) {
    ages_.erase(d.age);
    pending_.erase(it);
    *reason = why;
    return Result::kDropped;
  };
  if (!f.more) {
    if (d.total != 0 && d.total != f.offset + f.size) return drop("ip_fragment_conflict");
    d.total = f.offset + f.size;
  }
  auto [slot, fresh] = d.pieces.try_emplace(f.offset, reinterpret_cast<const char*>(f.data), f.size);
  if (!fresh && slot->second != std::string_view(reinterpret_cast<const char*>(f.data), f.size)) {
    return drop("ip_fragment_conflict");
  }
  if (d.total == 0) return Result::kIncomplete;
  // Complete when the pieces cover [0, total) without a gap; overlaps must
  // carry the same bytes.
  payload->assign(d.total, '\0');
  size_t covered = 0;
  for (const auto& [off, bytes] : d.pieces) {
    if (off > covered) return Result::kIncomplete;
    if (off + bytes.size() > d.total) return drop("ip_fragment_conflict");
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (off + i < covered && (*payload)[off + i] != bytes[i]) return drop("ip_fragment_conflict");
      (*payload)[off + i] = bytes[i];
    }
    covered = std::max(covered, off + bytes.size());
  }
  if (covered < d.total) return Result::kIncomplete;
  ages_.erase(d.age);
  pending_.erase(it);
  return Result::kComplete;
}

}  // namespace nsradar::ingest

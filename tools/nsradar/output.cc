#include "output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>

namespace nsradar::cli {

void Table::Print(FILE* out) const {
  std::vector<size_t> width(header_.size(), 0);
  for (size_t c = 0; c < header_.size(); ++c) width[c] = header_[c].size();
  for (const auto& r : rows_) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) {
      if (c + 1 == r.size()) {
        s += r[c];
      } else {
        s += fmt::format("{:<{}}  ", r[c], width[c]);
      }
    }
    fmt::print(out, "{}\n", s);
  };
  line(header_);
  for (const auto& r : rows_) line(r);
}

Progress::Progress(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled && isatty(STDERR_FILENO)) {
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::string eta = "?";
  if (total > done && rate > 0) eta = fmt::format("{:.0f}s", static_cast<double>(total - done) / rate);
  double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0;
  fmt::print(stderr, "\r{}: {:5.1f}% {} of {} at {}/s, ETA {}   ", label_, pct, HumanBytes(static_cast<double>(done)),
             HumanBytes(static_cast<double>(total)), HumanBytes(rate), eta);
  drawn_ = true;
}

void Progress::Finish() {
  if (drawn_) fmt::print(stderr, "\r\033[K");
  drawn_ = false;
}

void PrintError(std::string_view message) { fmt::print(stderr, "error: {}\n", message); }

void Fail(const Status& s) {
  PrintError(s.ToString());
  throw CLI::RuntimeError(1);
}

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1000 && u < 4) {
    b /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", b, units[u]) : fmt::format("{:.1f} {}", b, units[u]);
}

std::string WithCommas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace nsradar::cli

#include "util/json_writer.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

namespace nsradar {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  uint32_t cp;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
    return 0;
  }
  return n;
}

}  // namespace

size_t JsonPlainPrefix(std::string_view s) {
  // Eight bytes at a time: a word is plain when none of its bytes is below
  // 0x20, a quote, a backslash or 0x80 and above. The test can flag a plain
  // byte after a flagged one (borrows), never miss one: the byte loop then
  // finds the exact place. The last word overlaps the one before it.
  constexpr uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  auto has_zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  auto flagged = [&](size_t at) {
    uint64_t x;
    std::memcpy(&x, s.data() + at, 8);
    return (((x - kOnes * 0x20) & ~x & kHigh) | has_zero_byte(x ^ (kOnes * '"')) | has_zero_byte(x ^ (kOnes * '\\')) |
            (x & kHigh)) != 0;
  };
  size_t i = 0;
  if (s.size() >= 8) {
    while (i + 8 <= s.size() && !flagged(i)) i += 8;
    const bool stopped = i + 8 <= s.size();
    if (!stopped && !flagged(s.size() - 8)) return s.size();
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
  }
  return i;
}

void AppendJsonEscaped(std::string_view s, std::string* out) {
  size_t plain_start = 0;
  auto flush = [&](size_t i) { out->append(s.data() + plain_start, i - plain_start); };
  for (size_t i = 0;;) {
    i += JsonPlainPrefix(s.substr(i));
    if (i == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s, i);
      if (n) {
        i += n;
        continue;
      }
      flush(i);
      out->append("\\ufffd");
      plain_start = ++i;
      continue;
    }
    flush(i);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        fmt::format_to(std::back_inserter(*out), "\\u{:04x}", c);
    }
    plain_start = ++i;
  }
  flush(s.size());
}

void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_element_.empty()) {
    if (has_element_.back()) out_->push_back(',');
    has_element_.back() = true;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_->push_back('{');
  has_element_.push_back(false);
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  out_->push_back('}');
  has_element_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_->push_back('[');
  has_element_.push_back(false);
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  out_->push_back(']');
  has_element_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::Key(std::string_view key) {
  Separate();
  out_->push_back('"');
  AppendJsonEscaped(key, out_);
  out_->append("\":");
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view value) {
  Separate();
  out_->push_back('"');
  AppendJsonEscaped(value, out_);
  out_->push_back('"');
  return *this;
}
JsonWriter& JsonWriter::Int(int64_t value) {
  Separate();
  fmt::format_to(std::back_inserter(*out_), "{}", value);
  return *this;
}
JsonWriter& JsonWriter::Uint(uint64_t value) {
  Separate();
  fmt::format_to(std::back_inserter(*out_), "{}", value);
  return *this;
}
JsonWriter& JsonWriter::Double(double value) {
  Separate();
  if (std::isfinite(value)) {
    fmt::format_to(std::back_inserter(*out_), "{}", value);
  } else {
    out_->append("null");
  }
  return *this;
}
JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_->append(value ? "true" : "false");
  return *this;
}
JsonWriter& JsonWriter::Null() {
  Separate();
  out_->append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_->append(json);
  return *this;
}

}  // namespace nsradar

#include "util/time.h"

#include <fmt/format.h>

#include <charconv>

namespace nsradar {
namespace {

bool ReadInt(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidDate(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

// Howard Hinnant's days_from_civil.
int64_t UnixFromCivil(int year, unsigned month, unsigned day, int hour, int minute, int second) {
  int64_t y = year - (month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

std::string FormatTime(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  // civil_from_days
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, secs / 3600, secs / 60 % 60, secs % 60);
}

std::optional<int64_t> ParseTime(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool all_digits = s.find_first_not_of("0123456789") == std::string_view::npos;
  if (all_digits && s.size() != 8) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
  }
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!ReadInt(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !ReadInt(s, 5, 2, &mo) || s[7] != '-' ||
      !ReadInt(s, 8, 2, &d) || !ValidDate(y, mo, d)) {
    return std::nullopt;
  }
  size_t pos = 10;
  int64_t offset = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!ReadInt(s, pos + 1, 2, &h) || s.size() < pos + 9 || s[pos + 3] != ':' || !ReadInt(s, pos + 4, 2, &mi) ||
        s[pos + 6] != ':' || !ReadInt(s, pos + 7, 2, &sec) || h > 23 || mi > 59 || sec > 60) {
      return std::nullopt;
    }
    pos += 9;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om;
        if (!ReadInt(s, pos + 1, 2, &oh) || s.size() < pos + 6 || s[pos + 3] != ':' || !ReadInt(s, pos + 4, 2, &om) ||
            oh > 23 || om > 59) {
          return std::nullopt;
        }
        offset = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
        pos += 6;
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  return UnixFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d), h, mi, sec) - offset;
}

std::optional<int64_t> TimeFromDateSerial(uint32_t serial) {
  uint32_t nn = serial % 100;
  uint32_t date = serial / 100;
  int y = static_cast<int>(date / 10000), m = static_cast<int>(date / 100 % 100), d = static_cast<int>(date % 100);
  if (y < 1990 || y > 2100 || !ValidDate(y, m, d)) return std::nullopt;
  return UnixFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) + nn;
}

}  // namespace nsradar

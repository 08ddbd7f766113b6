// One table of names for an enum, read both ways: the name of a value for
// output, the value of a name for input. Each vocabulary (alert categories,
// verdicts, RPZ actions, ...) keeps one such table beside its enum, so a
// new value is one enum line plus one table row, and every switch over the
// enum without a default is flagged by the compiler until it handles it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nsradar {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

// The name of `value` ("?" when the table lacks it, which a test of each
// table rules out).
template <typename E, size_t N>
constexpr std::string_view NameOf(const EnumName<E> (&table)[N], E value) {
  for (const auto& row : table) {
    if (row.value == value) return row.name;
  }
  return "?";
}

// The value named `text`, exactly as written in the table.
template <typename E, size_t N>
constexpr bool ValueOf(const EnumName<E> (&table)[N], std::string_view text, E* out) {
  for (const auto& row : table) {
    if (row.name == text) {
      *out = row.value;
      return true;
    }
  }
  return false;
}

// "a, b or c", for errors that list what is accepted.
template <typename E, size_t N>
std::string NamesOf(const EnumName<E> (&table)[N]) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) out += i + 1 == N ? " or " : ", ";
    out += table[i].name;
  }
  return out;
}

}  // namespace nsradar

// JsonWriter: appends JSON text to a caller-owned string, with no tree built
// in between, so large answers can be streamed piece by piece.
//
// Commas are placed automatically. Strings are escaped per RFC 8259; bytes
// that are not valid UTF-8 become U+FFFD, so the output is always valid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace nsradar {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A value that is already JSON text (one complete value, which the
  // caller guarantees), e.g. a document kept as written.
  JsonWriter& Raw(std::string_view json);

  // Key and value in one call.
  template <typename T>
  JsonWriter& Field(std::string_view key, const T& value) {
    Key(key);
    return Value(value);
  }

 private:
  JsonWriter& Value(std::string_view v) { return String(v); }
  JsonWriter& Value(const std::string& v) { return String(v); }
  JsonWriter& Value(const char* v) { return String(v); }
  JsonWriter& Value(bool v) { return Bool(v); }
  JsonWriter& Value(double v) { return Double(v); }
  template <typename I>
  JsonWriter& Value(I v) requires std::is_integral_v<I> {
    if constexpr (std::is_signed_v<I>)
      return Int(v);
    else
      return Uint(v);
  }
  void Separate();

  std::string* out_;
  // One entry per open container: whether it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// Appends `s` escaped as a JSON string body (without the quotes).
void AppendJsonEscaped(std::string_view s, std::string* out);
// The length of the leading part of `s` that AppendJsonEscaped copies as
// it is (printable ASCII but quote and backslash): all of it for nearly
// every DNS name, which lets hot paths copy names without escaping.
size_t JsonPlainPrefix(std::string_view s);

}  // namespace nsradar

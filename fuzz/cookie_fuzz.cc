// The Cookie header parser and the session lookup behind it: each input is
// a Cookie header as a hostile client would send it. FindCookie must return
// a view inside the header, never crash or read past it; a session id that
// nobody was given must never find a session.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/cookie.h"
#include "api/sessions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  static nsradar::api::SessionTable* table = [] {
    auto* t = new nsradar::api::SessionTable;
    (void)t->Create(nsradar::api::DigestKey("at_abcdefghijklmnopqrstuvwxyz012"));
    return t;
  }();
  for (std::string_view name : {std::string_view("nsradar_session"), std::string_view("a")}) {
    auto value = nsradar::api::FindCookie(header, name);
    if (!value) continue;
    if (value->data() < header.data() || value->data() + value->size() > header.data() + header.size()) std::abort();
    if (table->Find(*value)) std::abort();  // 256 random bits are not guessed
  }
  return 0;
}

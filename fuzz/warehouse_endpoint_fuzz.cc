// The --warehouse URL list: any bytes give endpoints or an error naming
// the list element, and Display() does not depend on the password.
#include <cstddef>
#include <cstdint>
#include <string>

#include "warehouse/endpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string list(reinterpret_cast<const char*>(data), size);
  std::vector<nsradar::warehouse::Endpoint> out;
  nsradar::Status s = nsradar::warehouse::ParseEndpoints(list, "", "secret", &out);
  if (!s.ok()) {
    if (s.message().find("--warehouse URL") == std::string::npos) __builtin_trap();
    return 0;
  }
  for (const auto& e : out) {
    if (e.host.empty() || e.port.empty()) __builtin_trap();
    nsradar::warehouse::Endpoint other = e;
    other.password = "another";
    if (other.Display() != e.Display()) __builtin_trap();
  }
  return 0;
}

#include "pipeline/config.h"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <type_traits>

#include "util/strings.h"

namespace nsradar::pipeline {

Status LoadConfig(const std::string& path, Config* c) {
  std::ifstream in(path);
  if (!in) return Status::IOError(path + ": cannot open the configuration file");
  using Setter = std::function<const char*(std::string_view)>;
  auto text = [](std::string* field) -> Setter {
    return [field](std::string_view v) -> const char* {
      field->assign(v);
      return nullptr;
    };
  };
  auto list = [](std::vector<std::string>* field) -> Setter {
    return [field](std::string_view v) -> const char* {
      field->emplace_back(v);
      return nullptr;
    };
  };
  auto number = [](double* field) -> Setter {
    return [field](std::string_view v) -> const char* {
      double d = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      if (ec != std::errc() || end != v.data() + v.size() || d < 0) return "expected a number, 0 or more";
      *field = d;
      return nullptr;
    };
  };
  auto count = [](auto* field) -> Setter {
    return [field](std::string_view v) -> const char* {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n == 0 || n > (uint64_t{1} << 40)) {
        return "expected a whole number, 1 or more";
      }
      *field = static_cast<std::remove_pointer_t<decltype(field)>>(n);
      return nullptr;
    };
  };
  auto millis = [](std::chrono::milliseconds* field) -> Setter {
    return [field](std::string_view v) -> const char* {
      int64_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n <= 0 || n > 86'400'000) {
        return "expected milliseconds, 1 to 86400000";
      }
      *field = std::chrono::milliseconds(n);
      return nullptr;
    };
  };
  auto boolean = [](bool* field) -> Setter {
    return [field](std::string_view v) -> const char* {
      if (v == "true" || v == "yes") return *field = true, nullptr;
      if (v == "false" || v == "no") return *field = false, nullptr;
      return "expected true or false";
    };
  };
  auto vantage = [](ingest::VantageChoice* field) -> Setter {
    return [field](std::string_view v) -> const char* {
      return ingest::ParseVantageChoice(v, field) ? nullptr : "expected client, resolver or both";
    };
  };
  auto rpz_action = [](intel::RpzAction* field) -> Setter {
    return [field](std::string_view v) -> const char* {
      return intel::ParseRpzAction(v, field) ? nullptr : "expected nxdomain, nodata or drop";
    };
  };
  // The URLs are parsed once the credentials, which may come after them,
  // are known.
  std::string warehouse_urls, warehouse_user, warehouse_password;
  size_t warehouse_line = 0;
  const std::map<std::string, Setter, std::less<>> keys = {
      {"store", text(&c->store)},
      {"cache_mb", count(&c->cache_mb)},
      {"listen", text(&c->server.listen)},
      {"threads", count(&c->server.threads)},
      {"max_connections", count(&c->server.max_connections)},
      {"first_byte_timeout_ms", millis(&c->server.first_byte_timeout)},
      {"request_timeout_ms", millis(&c->server.request_timeout)},
      {"idle_timeout_ms", millis(&c->server.idle_timeout)},
      {"api_keys", text(&c->api_keys)},
      {"rate_limit", number(&c->rate_limit)},
      {"tls_cert", text(&c->server.tls_cert)},
      {"tls_key", text(&c->server.tls_key)},
      {"access_log", text(&c->server.access_log)},
      {"log_format", text(&c->log_format)},
      {"log_level", text(&c->log_level)},
      {"log_file", text(&c->log_file)},
      {"input", list(&c->inputs)},
      {"input_format", text(&c->input_format)},
      {"follow", boolean(&c->follow)},
      {"fingerprints", boolean(&c->fingerprints)},
      {"vantage", vantage(&c->vantage)},
      {"allowlist", list(&c->allowlists)},
      {"alerts_out", text(&c->alerts_out)},
      {"envelope", text(&c->envelope)},
      {"intel", list(&c->intel)},
      {"intel_category", text(&c->intel_category)},
      {"intel_ca_file", text(&c->intel_ca_file)},
      {"rpz_out", text(&c->rpz_out)},
      {"rpz_origin", text(&c->rpz_origin)},
      {"rpz_action", rpz_action(&c->rpz_action)},
      {"rpz_reload_command", text(&c->rpz_reload_command)},
      {"rpz_interval_seconds", number(&c->rpz_interval_seconds)},
      {"warehouse", text(&warehouse_urls)},
      {"warehouse_user", text(&warehouse_user)},
      {"warehouse_password", text(&warehouse_password)},
      {"warehouse_database", text(&c->warehouse_database)},
      {"sensor", text(&c->sensor)},
      {"warehouse_batch_rows", count(&c->warehouse_batch_rows)},
      {"warehouse_batch_ms", millis(&c->warehouse_batch_age)},
      {"warehouse_observations_ms", millis(&c->warehouse_observations_age)},
      {"warehouse_spool", text(&c->warehouse_spool)},
      {"warehouse_spool_mb", count(&c->warehouse_spool_mb)},
  };
  std::string line;
  for (size_t lineno = 1; std::getline(in, line); ++lineno) {
    std::string_view l = line;
    if (size_t hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
    l = TrimBlanks(l);
    if (l.empty()) continue;
    const size_t eq = l.find('=');
    if (eq == std::string_view::npos)
      return Status::InvalidArgument(fmt::format("{}:{}: expected 'key = value'", path, lineno));
    std::string_view key = TrimBlanks(l.substr(0, eq)), value = TrimBlanks(l.substr(eq + 1));
    auto it = keys.find(key);
    if (it == keys.end()) return Status::InvalidArgument(fmt::format("{}:{}: unknown key '{}'", path, lineno, key));
    if (const char* err = it->second(value)) {
      return Status::InvalidArgument(fmt::format("{}:{}: {}: {}", path, lineno, key, err));
    }
    if (key == "warehouse") warehouse_line = lineno;
  }
  if (c->api_keys.empty()) return Status::InvalidArgument(path + ": api_keys is required");
  if (warehouse_line > 0) {
    if (warehouse_password.empty()) {
      if (const char* env = std::getenv("NSRADAR_WAREHOUSE_PASSWORD")) warehouse_password = env;
    }
    c->warehouse.clear();
    if (Status s = warehouse::ParseEndpoints(warehouse_urls, warehouse_user, warehouse_password, &c->warehouse);
        !s.ok()) {
      return Status::InvalidArgument(fmt::format("{}:{}: warehouse: {}", path, warehouse_line, s.message()));
    }
    if (c->sensor.empty()) {
      char host[256] = {};
      if (gethostname(host, sizeof(host) - 1) == 0) c->sensor = host;
    }
    if (c->warehouse_spool.empty()) c->warehouse_spool = c->store + "-warehouse-spool";
  }
  return Status::OK();
}

}  // namespace nsradar::pipeline

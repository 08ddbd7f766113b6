// The API's request path: each input is "METHOD TARGET\n" then a body. The
// target goes through ParseTarget and, when it parses, the whole Service
// (parameter checks, cursors, handlers, streamed answers) over a small
// store. Every answer must be a well-formed status with a body.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "api/service.h"
#include "nsdb/store.h"
#include "zone/snapshot.h"

namespace {

constexpr char kKey[] = "at_abcdefghijklmnopqrstuvwxyz012";

struct World {
  std::unique_ptr<nsradar::nsdb::Store> store;
  nsradar::api::ApiKeys keys;
  nsradar::api::Metrics metrics;
  std::unique_ptr<nsradar::api::Service> service;
};

World* TheWorld() {
  static World* world = [] {
    auto* w = new World;
    std::string dir = "/tmp/nsradar-fuzz-api-" + std::to_string(getpid());
    std::filesystem::remove_all(dir);
    if (!nsradar::nsdb::Store::Open(dir + "/store", {}, &w->store).ok()) __builtin_trap();
    std::string text = "example.\t60\tIN\tSOA\tns.example. h.example. 1 1 1 1 1\n";
    for (int i = 0; i < 50; ++i) {
      text += "d" + std::to_string(i) + ".example.\t60\tIN\tNS\tns1.host.net.\n";
    }
    text += "ns1.host.net.\t60\tIN\tA\t192.0.2.1\n";
    auto reader = nsradar::zone::ZoneReader::FromMemory(text, {});
    nsradar::zone::ZoneSnapshot snap;
    if (!nsradar::zone::ZoneSnapshot::Load(reader.get(), {}, &snap).ok()) __builtin_trap();
    nsradar::nsdb::IngestResult r;
    if (!w->store->IngestSnapshot(snap, 1000, "fuzz", &r).ok()) __builtin_trap();
    std::ofstream(dir + "/keys") << kKey << "\n";
    if (!w->keys.Load(dir + "/keys").ok()) __builtin_trap();
    w->service = std::make_unique<nsradar::api::Service>(w->store.get(), &w->keys, &w->metrics,
                                                         nsradar::api::ServiceOptions{.rate_limit = 0});
    return w;
  }();
  return world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view line = input.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  size_t space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  nsradar::api::Request req;
  if (!nsradar::api::ParseTarget(line.substr(space + 1), &req).empty()) return 0;
  req.method = std::string(line.substr(0, space));
  req.body = std::string(body);
  req.content_type = body.starts_with("[") || body.starts_with("{") ? "application/json" : "text/plain";
  World* w = TheWorld();
  nsradar::api::Response r = w->service->Handle(req, kKey);
  if (r.status < 200 || r.status > 599) __builtin_trap();
  if (r.stream) {
    std::string chunk;
    for (int i = 0; i < 1000 && r.stream(&chunk); ++i) chunk.clear();
  } else if (r.body.empty()) {
    __builtin_trap();
  }
  return 0;
}

// The configuration file of `nsradar serve --config FILE`, the live
// pipeline: ingestion, detection, name server checks, RPZ output and the
// HTTP API in one process. docs/pipeline.md documents every key.
//
// Format: `key = value` lines; `#` starts a comment; keys marked (list)
// may repeat. Unknown keys and bad values are errors naming file:line.
// Command-line flags given to serve override the file.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "ingest/source.h"
#include "intel/rpz.h"
#include "util/status.h"
#include "warehouse/endpoint.h"

namespace nsradar::pipeline {

struct Config {
  std::string store = "./nsradar-data";
  size_t cache_mb = 1024;  // the store's block cache
  // HTTP API: server.listen, .tls_cert/.tls_key (HTTPS), .access_log, the
  // connection limits and timeouts (api/http_server.h).
  api::ServerOptions server;
  std::string api_keys;  // required
  double rate_limit = 30;
  // The diagnostic log.
  std::string log_format = "text";
  std::string log_level = "info";
  std::string log_file;  // default: standard error
  // Ingestion and detection.
  std::vector<std::string> inputs;  // (list) files, dnstap-socket:PATH, interface:NAME
  std::string input_format = "auto";
  bool follow = false;                  // log files are followed like tail -F
  bool fingerprints = true;             // tool marks add evidence (detect/tool_marks.h)
  std::vector<std::string> allowlists;  // (list)
  std::string alerts_out;               // JSON lines, appended
  std::string envelope = "plain";
  // The sides of resolvers' dnstap read (client, resolver or both).
  ingest::VantageChoice vantage = ingest::VantageChoice::kBoth;
  // Threat intelligence: imported at start and on SIGHUP, each file
  // replacing its earlier indicators.
  std::vector<std::string> intel;  // (list)
  std::string intel_category = "malicious";
  std::string intel_ca_file;  // https feeds: trusted instead of the system's CA store
  // RPZ output, rewritten when alerts or intelligence changed.
  std::string rpz_out;
  std::string rpz_origin = "rpz.nsradar";
  intel::RpzAction rpz_action = intel::RpzAction::kNxdomain;
  std::string rpz_reload_command;
  double rpz_interval_seconds = 2;
  // The ClickHouse warehouse (docs/warehouse.md): events and alerts go to
  // it in batches when `warehouse = URL[,URL...]` names its shards.
  // warehouse_user/warehouse_password apply where a URL names none; the
  // password may instead come from NSRADAR_WAREHOUSE_PASSWORD.
  std::vector<warehouse::Endpoint> warehouse;
  std::string warehouse_database = "nsradar";
  std::string sensor;  // this sensor's unique name; default: the host name
  size_t warehouse_batch_rows = 50'000;
  std::chrono::milliseconds warehouse_batch_age{1000};
  // The passive-DNS observations' batches (warehouse/writer.h).
  std::chrono::milliseconds warehouse_observations_age{60'000};
  std::string warehouse_spool;  // default: STORE-warehouse-spool beside the store
  size_t warehouse_spool_mb = 1024;
};

Status LoadConfig(const std::string& path, Config* out);

}  // namespace nsradar::pipeline

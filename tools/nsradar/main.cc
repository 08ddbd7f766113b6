// nsradar: DNS tunneling and exfiltration defence with name-server
// intelligence. This program only wires the libraries under src/ together.
#include <CLI/CLI.hpp>
#include <charconv>

#include "commands.h"
#include "dns/name.h"
#include "nsradar_version.h"
#include "reference_docs.h"
#include "util/time.h"

namespace nsradar::cli {

std::string NameArgument(const std::string& text, const char* what) {
  std::string out;
  if (const char* err = dns::ParseName(text, "", &out)) {
    throw CLI::ValidationError(what, "'" + text + "' is not a valid domain name: " + err);
  }
  return out;
}

int64_t TimeArgument(const std::string& text, const char* what) {
  auto t = ParseTime(text);
  if (!t) {
    throw CLI::ValidationError(what, "'" + text +
                                         "' is not a time (UNIX seconds, YYYY-MM-DD or RFC 3339 like "
                                         "2018-01-29T02:00:00Z)");
  }
  return *t;
}

CLI::Validator CountAtLeast(uint64_t min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        uint64_t n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < min) {
          return "'" + text + "' is not a whole number of at least " + std::to_string(min);
        }
        return "";
      },
      "COUNT>=" + std::to_string(min));
}

}  // namespace nsradar::cli

int main(int argc, char** argv) {
  using namespace nsradar::cli;
  CLI::App app{"nsradar: reverse name-server index and DNS tunneling defence"};
  // The version and the commit built: what a bug report needs.
  app.set_version_flag("--version", "nsradar " NSRADAR_VERSION " (commit " NSRADAR_GIT_COMMIT ")");
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand
  GlobalOptions global;
  app.add_option("--store", global.store, "Store directory (every command)")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->each([&global](const std::string&) { global.store_given = true; });
  app.add_flag("--json", global.json, "Machine output: one JSON document, or JSON lines for streams");
  AddZoneCommands(app, global);
  AddQueryCommands(app, global);
  AddServeCommand(app, global);
  AddEventsCommand(app, global);
  AddTrafficCommand(app, global);
  AddDetectCommand(app, global);
  AddIntelCommands(app, global);
  AddWarehouseCommands(app, global);
  AddCorrelateCommand(app, global);
  AddHuntCommands(app, global);
  AddStoreCommands(app, global);
  AddGenerateDocsCommand(app, NSRADAR_VERSION);  // last: it documents the commands above
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}

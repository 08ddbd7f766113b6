// nsradar store migrate: converts a store written by an older nsradar to
// this one's on-disk format, in place (nsdb/migrate.h).
#include <fmt/format.h>

#include "commands.h"
#include "nsdb/migrate.h"
#include "util/json_writer.h"

namespace nsradar::cli {
namespace {

void RunMigrate(const GlobalOptions& g) {
  nsdb::MigrateResult r;
  const Status s = nsdb::MigrateStore(g.store, &r);
  if (!s.ok()) {
    PrintError(s.ToString());
    throw CLI::RuntimeError(s.IsNotFound() ? 3 : 1);
  }
  if (g.json) {
    std::string out;
    JsonWriter j(&out);
    j.BeginObject().Field("store", g.store).Field("from_format", static_cast<int64_t>(r.from_format));
    j.Field("converted", r.converted);
    const std::pair<const char*, uint64_t> sizes[] = {{"edges", r.edges},
                                                      {"blocks", r.blocks},
                                                      {"store_bytes_before", r.store_bytes_before},
                                                      {"store_bytes_after", r.store_bytes_after},
                                                      {"edge_bytes_before", r.edge_bytes_before},
                                                      {"edge_bytes_after", r.edge_bytes_after}};
    for (const auto& [key, value] : sizes) j.Field(key, value);
    j.Field("seconds", r.seconds).EndObject();
    fmt::print("{}\n", out);
    return;
  }
  if (!r.converted) {
    fmt::print("{}: already format {}, nothing to do\n", g.store, r.from_format);
    return;
  }
  fmt::print("{}: format {} -> current: {} edges in {} blocks; edges {} -> {}, store {} -> {} (SST); {:.1f} s\n",
             g.store, r.from_format, WithCommas(r.edges), WithCommas(r.blocks), HumanBytes(r.edge_bytes_before),
             HumanBytes(r.edge_bytes_after), HumanBytes(r.store_bytes_before), HumanBytes(r.store_bytes_after),
             r.seconds);
}

}  // namespace

void AddStoreCommands(CLI::App& app, const GlobalOptions& global) {
  auto* store = app.add_subcommand("store", "The store's on-disk format")->require_subcommand(1);
  store
      ->add_subcommand("migrate",
                       "Convert a store written by an older nsradar (format 1) to this one's format, in place; "
                       "safe to interrupt and run again")
      ->callback([&global]() { RunMigrate(global); });
}

}  // namespace nsradar::cli

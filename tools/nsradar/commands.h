// The nsradar subcommands, registered on the program's CLI11 app. Each
// command's callback throws CLI::RuntimeError with the exit code on failure.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "output.h"
#include "warehouse/endpoint.h"
#include "warehouse/schema.h"

namespace nsradar::cli {

void AddZoneCommands(CLI::App& app, const GlobalOptions& global);
void AddQueryCommands(CLI::App& app, const GlobalOptions& global);
void AddServeCommand(CLI::App& app, const GlobalOptions& global);
void AddEventsCommand(CLI::App& app, const GlobalOptions& global);
void AddTrafficCommand(CLI::App& app, const GlobalOptions& global);
void AddDetectCommand(CLI::App& app, const GlobalOptions& global);
void AddIntelCommands(CLI::App& app, const GlobalOptions& global);
void AddWarehouseCommands(CLI::App& app, const GlobalOptions& global);
void AddCorrelateCommand(CLI::App& app, const GlobalOptions& global);
void AddHuntCommands(CLI::App& app, const GlobalOptions& global);
void AddStoreCommands(CLI::App& app, const GlobalOptions& global);

// The options naming a warehouse cluster, for every command that uses one:
// --warehouse, --user, --password (or NSRADAR_WAREHOUSE_PASSWORD),
// --database, --cluster.
struct WarehouseConnection {
  std::string urls, user, password;
  warehouse::SchemaNames names;
};
void AddWarehouseConnectionOptions(CLI::App* cmd, WarehouseConnection* c);
// The shards of --warehouse; prints the error (the bad URL named, its
// password masked) and throws on a bad list.
std::vector<warehouse::Endpoint> WarehouseShards(const WarehouseConnection& c);

// Canonical form of a name given on the command line; throws a usage error
// naming `what` when it is not a valid domain name.
std::string NameArgument(const std::string& text, const char* what);
// A time option: UNIX seconds, a date or RFC 3339; throws naming `what`.
int64_t TimeArgument(const std::string& text, const char* what);
// A count option's check: refuses what is not a whole decimal number of at
// least `min` ("-1", "1.5", "ten"), before CLI11 converts it (an unsigned
// option would otherwise take "-1" as 18446744073709551615).
CLI::Validator CountAtLeast(uint64_t min);

}  // namespace nsradar::cli

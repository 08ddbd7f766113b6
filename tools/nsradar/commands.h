// The nsradar subcommands, registered on the program's CLI11 app. Each
// command's callback throws CLI::RuntimeError with the exit code on failure.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "output.h"

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

// Canonical form of a name given on the command line; throws a usage error
// naming `what` when it is not a valid domain name.
std::string NameArgument(const std::string& text, const char* what);
// A time option: UNIX seconds, a date or RFC 3339; throws naming `what`.
int64_t TimeArgument(const std::string& text, const char* what);

}  // namespace nsradar::cli

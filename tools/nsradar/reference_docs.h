// Man pages and shell completions generated from the program's own CLI11
// definitions, the same ones `--help` prints, so the installed reference
// cannot drift from the binary. The build runs the hidden subcommand
// `nsradar generate-docs` (tools/CMakeLists.txt) and installs its output.
#pragma once

#include <CLI/CLI.hpp>

namespace nsradar::cli {

// Registers the hidden `generate-docs --man-dir DIR --bash FILE --zsh FILE`
// on `app`, which must already hold every other subcommand: it writes
// nsradar.1, one nsradar-COMMAND.1 per top-level subcommand (its nested
// subcommands included), a bash completion script and a zsh one.
// `version` goes into the pages' footer.
void AddGenerateDocsCommand(CLI::App& app, const char* version);

}  // namespace nsradar::cli

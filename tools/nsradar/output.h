// How the nsradar program talks to people and machines: aligned tables on
// a terminal, one JSON document (or JSON lines for streams) with --json,
// and a progress line on standard error for long work.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace nsradar::cli {

struct GlobalOptions {
  std::string store = "./nsradar-data";
  bool store_given = false;  // --store was on the command line
  bool json = false;
};

// Collects rows, then prints them with each column as wide as its widest cell.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(FILE* out) const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// A one-line progress display with rate and ETA, redrawn at most every
// 200 ms; silent when standard error is not a terminal.
class Progress {
 public:
  Progress(std::string label, bool enabled);
  void Update(uint64_t done, uint64_t total);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// Prints "error: <message>" to standard error.
void PrintError(std::string_view message);

// Prints the status as an error and ends the command with exit status 1
// (through CLI11, so the program unwinds and closes what it opened).
[[noreturn]] void Fail(const Status& s);

// Human-friendly sizes and counts: "1.5 GB", "12,345".
std::string HumanBytes(double bytes);
std::string WithCommas(uint64_t n);

}  // namespace nsradar::cli

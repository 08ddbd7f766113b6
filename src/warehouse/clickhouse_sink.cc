#include "warehouse/clickhouse_sink.h"

#include <fmt/format.h>

#include <charconv>

#include "warehouse/rows.h"

namespace nsradar::warehouse {

namespace {

class ClickHouseSink : public Sink {
 public:
  ClickHouseSink(std::vector<Endpoint> endpoints, SchemaNames names, QueryOptions options)
      : endpoints_(std::move(endpoints)), names_(std::move(names)), options_(options) {}

  Status Probe() override {
    // Every column of every table the writer fills, local and distributed.
    std::string where;
    size_t expected = 0;
    for (const TableSpec* t : {&EventsTable(), &AlertsTable(), &EvidenceTable(), &ObservationsTable()}) {
      const std::string name(t->name);
      where += fmt::format("{}(table IN ({}, {}) AND name IN ({}))", where.empty() ? "" : " OR ", SqlString(name),
                           SqlString(name + "_local"), NamesOf(*t));
      expected += 2 * t->columns.size();
    }
    const std::string sql = fmt::format("SELECT count() FROM system.columns WHERE database = {} AND ({})",
                                        SqlString(names_.database), where);
    for (const Endpoint& e : endpoints_) {
      std::string answer;
      NSRADAR_RETURN_IF_ERROR(Post(e, QueryTarget(sql), "", &answer, options_));
      size_t n = 0;
      std::from_chars(answer.data(), answer.data() + answer.size(), n);
      if (n != expected) {
        return Status::InvalidArgument(
            fmt::format("{}: {}.dns_events, .alerts, .evidence and .observations lack columns of schema version {} ({} "
                        "of {}); run 'nsradar "
                        "warehouse init'",
                        e.Display(), names_.database, kSchemaVersion, n, expected));
      }
    }
    return Status::OK();
  }

  Status Insert(const Batch& batch, std::string_view rows) override {
    const TableSpec* table = FindTable(batch.table);
    if (table == nullptr) return Status::InvalidArgument("no table " + batch.table);
    const std::string target = QueryTarget(fmt::format("INSERT INTO {}.{} {} FORMAT RowBinary", names_.database,
                                                       table->name, ColumnList(*table))) +
                               "&insert_distributed_sync=1";
    // One endpoint only: an insert that failed may have stored some shards'
    // parts (the Distributed table writes each on its own; a receiving
    // server killed mid-insert leaves what it forwarded), so sending it again
    // elsewhere at once would store those rows twice. The writer looks the
    // batch up first (StoredRows); the next endpoint is tried then.
    const size_t at = current_;
    int code = 0;
    std::string answer;
    Status s = Post(endpoints_[at], target, rows, &answer, options_, &code);
    if (s.ok()) return s;
    if (IsRejection(code)) return Status::InvalidArgument(s.message());
    current_ = (at + 1) % endpoints_.size();
    return s;
  }

  Status StoredRows(const Batch& batch, std::vector<uint32_t>* rows) override {
    rows->clear();
    const TableSpec* table = FindTable(batch.table);
    if (table == nullptr) return Status::InvalidArgument("no table " + batch.table);
    // The time range limits the scan to the batch's partitions.
    const std::string sql = fmt::format(
        "SELECT batch_row FROM {0}.{1} WHERE sensor = {2} AND batch_seq = {3} AND {4} >= toDateTime({5}) AND {4} <= "
        "toDateTime({6})",
        names_.database, table->name, SqlString(batch.sensor), batch.seq, table->time_column, batch.min_ts,
        batch.max_ts);
    std::string answer;
    NSRADAR_RETURN_IF_ERROR(
        OnAny([&](const Endpoint& e, int* code) { return Post(e, QueryTarget(sql), "", &answer, options_, code); }));
    for (size_t at = 0; at < answer.size();) {
      size_t nl = answer.find('\n', at);
      if (nl == std::string::npos) nl = answer.size();
      uint32_t row = 0;
      auto [end, ec] = std::from_chars(answer.data() + at, answer.data() + nl, row);
      if (ec != std::errc() || end != answer.data() + nl) {
        return Status::Corruption(fmt::format("'{}' answered '{}', not row numbers", sql, answer.substr(at, 40)));
      }
      rows->push_back(row);
      at = nl + 1;
    }
    return Status::OK();
  }

 private:
  static std::string NamesOf(const TableSpec& t) {
    std::string out;
    for (const Column& c : t.columns) out += (out.empty() ? "" : ", ") + SqlString(c.name);
    return out;
  }

  // Tries the endpoints from the last that answered; a refusal of the data
  // is the answer (another server would refuse it too). For statements
  // that change nothing: Insert tries one endpoint.
  template <typename F>
  Status OnAny(F&& call) {
    Status last;
    for (size_t i = 0; i < endpoints_.size(); ++i) {
      const size_t at = (current_ + i) % endpoints_.size();
      int code = 0;
      last = call(endpoints_[at], &code);
      if (last.ok()) {
        current_ = at;
        return last;
      }
      if (IsRejection(code)) return Status::InvalidArgument(last.message());
    }
    return last;
  }

  const std::vector<Endpoint> endpoints_;
  const SchemaNames names_;
  const QueryOptions options_;
  size_t current_ = 0;
};

}  // namespace

std::unique_ptr<Sink> NewClickHouseSink(std::vector<Endpoint> endpoints, SchemaNames names, QueryOptions options) {
  return std::make_unique<ClickHouseSink>(std::move(endpoints), std::move(names), options);
}

bool IsRejection(int code) {
  switch (code) {
    case 6:    // CANNOT_PARSE_TEXT
    case 8:    // THERE_IS_NO_COLUMN
    case 10:   // NOT_FOUND_COLUMN_IN_BLOCK
    case 16:   // NO_SUCH_COLUMN_IN_TABLE
    case 20:   // NUMBER_OF_COLUMNS_DOESNT_MATCH
    case 27:   // CANNOT_PARSE_INPUT_ASSERTION_FAILED
    case 33:   // CANNOT_READ_ALL_DATA (a truncated row)
    case 36:   // BAD_ARGUMENTS
    case 47:   // UNKNOWN_IDENTIFIER
    case 53:   // TYPE_MISMATCH
    case 60:   // UNKNOWN_TABLE
    case 62:   // SYNTAX_ERROR
    case 70:   // CANNOT_CONVERT_TYPE
    case 81:   // UNKNOWN_DATABASE
    case 117:  // INCORRECT_DATA
      return true;
    default:
      return false;
  }
}

}  // namespace nsradar::warehouse

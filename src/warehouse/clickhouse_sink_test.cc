#include "warehouse/clickhouse_sink.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "warehouse/test_http_server.h"

namespace nsradar::warehouse {
namespace {

using nsradar::warehouse::testing::FakeServer;

std::string Answer(std::string_view status, std::string_view body) {
  return fmt::format("HTTP/1.1 {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", status, body.size(), body);
}

// The defect bench/warehouse_load.sh found: an insert whose receiving
// server failed after storing some shards' parts (a shard killed -9) was
// sent again at once to the next endpoint, which stored those parts a
// second time. The failed insert must come back to the writer, whose lookup
// of the uncertain batch runs before the next endpoint is asked.
TEST(ClickHouseSink, AFailedInsertIsNotSentToAnotherEndpointInTheSameCall) {
  FakeServer partial(Answer("500 Internal Server Error",
                            "Code: 210, e.displayText() = DB::NetException: Connection refused (127.0.0.1:9001): "
                            "Insertion status:\nWrote 1 blocks and 1839 rows on shard 0 replica 0\n"));
  FakeServer healthy(Answer("200 OK", ""));
  std::unique_ptr<Sink> sink = NewClickHouseSink({partial.endpoint(), healthy.endpoint()}, SchemaNames{});
  Batch batch{.table = "dns_events", .sensor = "s1", .seq = 7, .rows = 1, .min_ts = 1, .max_ts = 1, .payload = "x"};

  Status first = sink->Insert(batch, batch.payload);
  ASSERT_FALSE(first.ok()) << "the failed insert was sent again elsewhere and reported stored";
  EXPECT_NE(first.message().find("Code: 210"), std::string::npos) << first.message();
  EXPECT_EQ(partial.request().rfind("POST /?query=INSERT", 0), 0u) << partial.request();

  // The next attempt starts at the next endpoint.
  ASSERT_TRUE(sink->Insert(batch, batch.payload).ok());
  EXPECT_EQ(healthy.request().rfind("POST /?query=INSERT", 0), 0u) << healthy.request();
  EXPECT_NE(healthy.request().find("insert_distributed_sync=1"), std::string::npos) << healthy.request();
}

// A refusal of the data is the answer: no other endpoint is asked, and the
// writer sets the batch aside (InvalidArgument).
TEST(ClickHouseSink, ARefusedBatchIsInvalidArgument) {
  FakeServer refusing(Answer("400 Bad Request", "Code: 27, e.displayText() = DB::Exception: Cannot parse input"));
  std::unique_ptr<Sink> sink = NewClickHouseSink({refusing.endpoint()}, SchemaNames{});
  Batch batch{.table = "dns_events", .sensor = "s1", .seq = 8, .rows = 1, .min_ts = 1, .max_ts = 1, .payload = "x"};
  Status s = sink->Insert(batch, batch.payload);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
}

}  // namespace
}  // namespace nsradar::warehouse

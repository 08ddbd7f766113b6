// RowBinary rows of events and alerts, decoded back column by column.
#include "warehouse/rows.h"

#include <gtest/gtest.h>

#include <map>

namespace nsradar::warehouse {
namespace {

// Every column of one row by name.
std::map<std::string, std::string> Decode(const TableSpec& table, std::string_view payload, size_t* offset) {
  std::vector<std::string> values;
  Status s = DecodeRow(payload, offset, table.columns, &values);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < values.size(); ++i) out[std::string(table.columns[i].name)] = values[i];
  return out;
}

std::string Mapped(const dns::Address& a) {
  std::string out;
  PutAddress(&out, a);
  return out;
}

ingest::DnsEvent Event() {
  ingest::DnsEvent ev;
  ev.ts_us = 1'764'633'600'123'456;  // 2025-12-02 00:00:00.123456 UTC
  ev.client = *dns::Address::Parse("192.0.2.7");
  ev.server = *dns::Address::Parse("2001:db8::53");
  ev.client_port = 53000;
  ev.server_port = 53;
  ev.transport = ingest::Transport::kTcp;
  ev.qname_raw = "AbC.Example.COM";
  ev.qname = "abc.example.com";
  ev.registered_offset = 4;
  ev.qtype = 16;
  ev.qclass = 1;
  ev.id = 4242;
  ev.rcode = 3;
  ev.has_query = ev.has_response = true;
  ev.answers = {{"abc.example.com", 16, 300, "\"hi\""}, {"abc.example.com", 16, 60, "\"there\""}};
  ev.authority_ns = {{"example.com", 2, 86400, "ns1.example.net"}};
  ev.query_size = 45;
  ev.response_size = 512;
  ev.vantage = ingest::Vantage::kResolver;
  ev.bailiwick = "example.com";
  ev.has_bailiwick = true;
  return ev;
}

TEST(Rows, AnEventDecodesToItsFields) {
  const ingest::DnsEvent ev = Event();
  std::string payload;
  const uint32_t ts = AppendEventRow(ev, {"sensor-a", 77, 5}, &payload);
  EXPECT_EQ(ts, 1'764'633'600u);
  size_t offset = 0;
  auto row = Decode(EventsTable(), payload, &offset);
  EXPECT_EQ(offset, payload.size());
  EXPECT_EQ(row["ts"], "1764633600");
  EXPECT_EQ(row["usec"], "123456");
  EXPECT_EQ(row["sensor"], "sensor-a");
  EXPECT_EQ(row["vantage"], "1");
  EXPECT_EQ(row["client"], Mapped(ev.client));
  EXPECT_EQ(row["client"].substr(10, 2), "\xff\xff");  // IPv4 mapped
  EXPECT_EQ(row["server"], std::string(reinterpret_cast<const char*>(ev.server.bytes.data()), 16));
  EXPECT_EQ(row["client_port"], "53000");
  EXPECT_EQ(row["transport"], "2");
  EXPECT_EQ(row["qname_raw"], "AbC.Example.COM");
  EXPECT_EQ(row["registered_domain"], "example.com");
  EXPECT_EQ(row["qtype"], "16");
  EXPECT_EQ(row["id"], "4242");
  EXPECT_EQ(row["rcode"], "3");
  EXPECT_EQ(row["has_response"], "1");
  EXPECT_EQ(row["response_size"], "512");
  EXPECT_EQ(row["answers.name"], "[abc.example.com,abc.example.com]");
  EXPECT_EQ(row["answers.ttl"], "[300,60]");
  EXPECT_EQ(row["answers.data"], "[\"hi\",\"there\"]");
  EXPECT_EQ(row["authority_ns.type"], "[2]");
  EXPECT_EQ(row["glue.name"], "[]");
  EXPECT_EQ(row["bailiwick"], "example.com");
  EXPECT_EQ(row["echo"], "0");
  EXPECT_EQ(row["batch_seq"], "77");
  EXPECT_EQ(row["batch_row"], "5");
}

TEST(Rows, UnknownValuesAndOddTimes) {
  ingest::DnsEvent ev;  // everything unknown
  ev.ts_us = -5;
  std::string payload;
  EXPECT_EQ(AppendEventRow(ev, {"s", 1, 0}, &payload), 0u);
  ev.ts_us = ingest::kMaxEventSeconds * 1'000'000;
  EXPECT_EQ(AppendEventRow(ev, {"s", 1, 1}, &payload), UINT32_MAX);  // DateTime ends in 2106
  size_t offset = 0;
  auto row = Decode(EventsTable(), payload, &offset);
  EXPECT_EQ(row["client"], std::string(16, '\0'));
  EXPECT_EQ(row["rcode"], "-1");
  EXPECT_EQ(row["registered_domain"], "");
  row = Decode(EventsTable(), payload, &offset);
  EXPECT_EQ(row["batch_row"], "1");
  EXPECT_EQ(offset, payload.size());
}

TEST(Rows, AnAlertDecodesToItsFields) {
  detect::Alert a;
  a.registered_domain = "t.example";
  a.category = detect::AlertCategory::kTunneling;
  a.score = 0.875;
  a.alert_time_us = 1'764'633'601'000'000;
  a.clients.resize(2);
  a.clients[0].address = *dns::Address::Parse("10.1.2.3");
  a.clients[1].address = *dns::Address::Parse("2001:db8::1");
  std::string payload;
  AppendAlertRow(a, "{\"json\":1}", {"s1", 9, 0}, &payload);
  size_t offset = 0;
  auto row = Decode(AlertsTable(), payload, &offset);
  EXPECT_EQ(row["ts"], "1764633601");
  EXPECT_EQ(row["kind"], detect::CategoryName(a.category));
  EXPECT_EQ(row["score"], "0.875");
  EXPECT_EQ(row["clients"], "[" + Mapped(a.clients[0].address) + "," + Mapped(a.clients[1].address) + "]");
  EXPECT_EQ(row["detail"], "{\"json\":1}");
  EXPECT_EQ(row["alert_id"], "s1/t.example/1764633601000000");
}

TEST(Rows, AnEvidenceRowDecodesToItsFields) {
  ingest::DnsEvent ev = Event();
  ev.qname_raw = "LaaeloswDhm4f1bizgxzh1jidyvnc3ea.T.Example.COM";
  ev.qname = "laaeloswdhm4f1bizgxzh1jidyvnc3ea.t.example.com";
  ev.registered_offset = ev.qname.size() - 11;
  ev.authority_ns.push_back({"example.com", 2, 60, "ns.example.com"});
  ev.authority_ns.push_back({"other.com", 2, 60, "ns.other.com"});  // not the domain's: left out
  detect::EvidenceClass evidence = detect::ClassifyEvidence(ev);
  ASSERT_TRUE(evidence.in_tier);
  evidence.mark = {detect::MarkConfidence::kLow, "iodine", "x"};
  std::string payload;
  EXPECT_EQ(AppendEvidenceRow(ev, evidence, {"sensor-b", 9, 2}, &payload), 1'764'633'600u);
  size_t offset = 0;
  auto row = Decode(EvidenceTable(), payload, &offset);
  EXPECT_EQ(offset, payload.size());
  EXPECT_EQ(row["usec"], "123456");
  EXPECT_EQ(row["sensor"], "sensor-b");
  EXPECT_EQ(row["vantage"], "1");
  EXPECT_EQ(row["client"], Mapped(ev.client));
  EXPECT_EQ(row["qname_raw"], ev.qname_raw);
  EXPECT_EQ(row["qname"], ev.qname);
  EXPECT_EQ(row["registered_domain"], "example.com");
  EXPECT_EQ(row["qtype"], "16");
  EXPECT_EQ(row["rcode"], "3");
  EXPECT_EQ(row["has_response"], "1");
  EXPECT_EQ(row["answer_bytes"], "7");  // "hi" and "there"
  EXPECT_EQ(row["ns_targets"], "[ns1.example.net,ns.example.com]");
  EXPECT_EQ(row["encoded_bytes"], std::to_string(evidence.encoded_bytes));
  EXPECT_EQ(row["marks"], "[iodine/low]");
  EXPECT_EQ(row["batch_seq"], "9");
  EXPECT_EQ(row["batch_row"], "2");
  EXPECT_EQ(FindTable("evidence"), &EvidenceTable());
}

TEST(Rows, ColumnListNamesNestedMembers) {
  const std::string list = ColumnList(EventsTable());
  EXPECT_EQ(list.substr(0, 10), "(ts, usec,");
  EXPECT_NE(list.find("answers.name, answers.type, answers.ttl, answers.data"), std::string::npos);
  EXPECT_EQ(list.substr(list.size() - 21), "batch_seq, batch_row)");
  EXPECT_EQ(FindTable("alerts"), &AlertsTable());
  EXPECT_EQ(FindTable("observations"), &ObservationsTable());
  EXPECT_EQ(FindTable("schema_version"), nullptr);  // not written by sensors
}

TEST(Rows, TruncatedOrGarbledRowsAreErrorsNamingColumnAndOffset) {
  std::string payload;
  AppendEventRow(Event(), {"sensor", 1, 0}, &payload);
  std::vector<size_t> starts;
  ASSERT_TRUE(SplitRows(payload, 1, EventsTable().columns, &starts).ok());
  EXPECT_EQ(starts, (std::vector<size_t>{0, payload.size()}));
  for (size_t cut = 0; cut < payload.size(); ++cut) {
    Status s = SplitRows(std::string_view(payload).substr(0, cut), 1, EventsTable().columns, &starts);
    ASSERT_FALSE(s.ok()) << cut;
    EXPECT_NE(s.message().find("offset"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("column"), std::string::npos) << s.message();
  }
  EXPECT_FALSE(SplitRows(payload + "x", 1, EventsTable().columns, &starts).ok());  // bytes after the rows
  EXPECT_FALSE(SplitRows(payload, 2, EventsTable().columns, &starts).ok());
  // A huge string length (the qname_raw's, after 8+16+... bytes) fails
  // without allocating it.
  std::string garbled = payload;
  const size_t qname_raw = 4 + 4 + 1 + 6 + 1 + 16 + 16 + 2 + 2 + 1;
  ASSERT_EQ(garbled[qname_raw], char(15));
  garbled.replace(qname_raw, 1, "\xff\xff\xff\xff\x0f");
  Status s = SplitRows(garbled, 1, EventsTable().columns, &starts);
  EXPECT_NE(s.message().find("column qname_raw"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace nsradar::warehouse

#include "ingest/event.h"

namespace nsradar::ingest {

const char* TransportName(Transport t) {
  switch (t) {
    case Transport::kUnknown:
      return "";
    case Transport::kUdp:
      return "udp";
    case Transport::kTcp:
      return "tcp";
    case Transport::kDot:
      return "dot";
    case Transport::kDoh:
      return "doh";
    case Transport::kDoq:
      return "doq";
  }
  return "";
}

const char* VantageName(Vantage v) { return v == Vantage::kResolver ? "resolver" : "client"; }

void DnsEvent::Clear() {
  ts_us = 0;
  client = server = dns::Address();
  client_port = server_port = 0;
  transport = Transport::kUnknown;
  qname_raw.clear();
  qname.clear();
  qtype = qclass = id = 0;
  rcode = -1;
  has_query = has_response = false;
  answers.clear();
  authority_ns.clear();
  glue.clear();
  query_size = response_size = 0;
  sensor.clear();
  vantage = Vantage::kClient;
  bailiwick.clear();
  has_bailiwick = false;
  echo = false;
  registered_offset = std::string::npos;
}

}  // namespace nsradar::ingest

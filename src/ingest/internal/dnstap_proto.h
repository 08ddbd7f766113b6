// Numbers of the dnstap schema (dnstap.proto) shared by the hand-written
// decoder (dnstap_source.cc) and the tests' encoder (ingest_test_util.h).
#pragma once

#include <cstdint>

namespace nsradar::ingest::dnstap {

// dnstap.Message.Type values.
enum MessageType : uint32_t {
  kAuthQuery = 1,
  kAuthResponse = 2,
  kResolverQuery = 3,
  kResolverResponse = 4,
  kClientQuery = 5,
  kClientResponse = 6,
  kForwarderQuery = 7,
  kForwarderResponse = 8,
  kStubQuery = 9,
  kStubResponse = 10,
  kToolQuery = 11,
  kToolResponse = 12,
};

}  // namespace nsradar::ingest::dnstap

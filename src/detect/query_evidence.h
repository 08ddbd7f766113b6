// Query evidence: how much one query to a registered domain speaks for a
// data channel (a tunnel, an exfiltration, a C2 session) over ordinary use,
// as a weight the detector sums per client and per domain (a log-likelihood
// ratio in the units of DetectorOptions::evidence_threshold, 30 deciding).
//
// The weights come from what a channel cannot avoid: every query carries
// new data, so its name is unique and looks encoded; the types that carry
// the most data back (NULL, private types, KEY, TXT) are rare in ordinary
// traffic. Names of ordinary software are words, numbered hosts and a few
// hashes under domains everyone uses; those are answered by the priors
// (name_server_facts.h) rather than by the weight of one query.
#pragma once

#include <cstdint>
#include <string_view>

#include "detect/label_features.h"
#include "ingest/event.h"

namespace nsradar::detect {

// The shape of a subdomain (the name left of the registered domain).
enum class NameShape : uint8_t {
  kPlain,    // words, numbered hosts, anything a person or a host name gives
  kWeak,     // short (8-15 bytes) but shaped like encoding: mixed case
             // switching often, 8-bit bytes, base32/hex with digits
  kEncoded,  // 16 bytes or more of encoded-looking data (LooksEncoded)
};

struct NameEvidence {
  NameShape shape = NameShape::kPlain;
  uint32_t length = 0;  // bytes, dots excluded
  uint32_t longest_label = 0;
};

// Classifies `subdomain` (raw presentation text; lower-cased by the caller
// when the sender randomised its case). Names shorter than 8 bytes are
// plain without computing features: most events stop there.
NameEvidence ClassifyName(std::string_view subdomain);

// Encoded data rather than a host name, for names of 16 bytes or more.
// Calibrated on the benign corpus (docs/detection.md).
bool LooksEncoded(const LabelFeatures& f, std::string_view subdomain);

// The weight of a query seen for the first time (a new name for this
// domain): its shape, its length (longer encoded names carry more) and its
// type. A repeated name carries no data: kRepeatWeight.
double NovelQueryWeight(const NameEvidence& name, uint16_t qtype);
inline constexpr double kRepeatWeight = -0.25;

// Types that carry data downstream better than A/AAAA and that ordinary
// clients rarely ask for in bulk.
bool RareType(uint16_t qtype);
// Of those, the types ordinary clients hardly ever ask at all (NULL, KEY,
// private use): one such query makes a domain worth watching.
bool TunnelOnlyType(uint16_t qtype);

// Bytes of data the answers of a response carry (A 4, AAAA 16, TXT its
// strings, unknown types their RFC 3597 length, names their length).
uint32_t AnswerDataBytes(const ingest::DnsEvent& ev);

}  // namespace nsradar::detect

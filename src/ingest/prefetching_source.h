// PrefetchingSource: another EventSource run on a thread of its own, its
// events handed to the caller's thread in batches, so that reading and
// decoding an input take one core and what the sink does (detection, the
// index) another.
//
// Events reach the sink in the same order, on the thread that called Run.
// stats() is the inner source's as of the batch last handed over, and whole
// once Run returns; Run returns the inner source's status. A batch is handed
// over only when full or when the inner source ends, so this is for inputs
// that end (files), not for live ones, whose last events would wait.
//
// With `psl`, the inner source was opened without registered domains
// (SourceOptions::registered_domains = false) and they are found here, on
// the caller's thread, before the sink sees each event: the reading thread
// is the busier one.
#pragma once

#include <memory>

#include "ingest/source.h"

namespace nsradar::ingest {

std::unique_ptr<EventSource> NewPrefetchingSource(std::unique_ptr<EventSource> inner,
                                                  const dns::PublicSuffixList* psl = nullptr);

}  // namespace nsradar::ingest

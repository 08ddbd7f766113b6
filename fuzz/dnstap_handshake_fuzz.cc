// The receiving end of a Frame Streams connection (the dnstap socket): the
// input is what a sender writes, fed in pieces whose sizes the first byte
// picks, through the handshake state machine and the dnstap decoder. The
// receiver must never hold more than a frame, never answer anything but
// ACCEPT and FINISH, and never go on after it closed.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/dnstap_source.h"
#include "ingest/frame_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nsradar::ingest::FrameStreamReceiver;
  if (size < 1) return 0;
  const size_t piece = 1 + data[0] % 64;
  nsradar::ingest::SourceOptions options;
  options.max_pending_queries = 64;
  nsradar::ingest::SourceStats stats;
  nsradar::ingest::DnstapDecoder decoder(options, &stats);
  FrameStreamReceiver receiver;
  std::string reply, error;
  const std::string accept =
      nsradar::ingest::FrameStreamControl(nsradar::ingest::kFstrmAccept, nsradar::ingest::kDnstapContentType);
  const std::string finish = nsradar::ingest::FrameStreamControl(nsradar::ingest::kFstrmFinish);
  auto on_frame = [&](std::string_view f) {
    if (f.size() > FrameStreamReceiver::kMaxDataFrame) __builtin_trap();
    decoder.Frame(reinterpret_cast<const uint8_t*>(f.data()), f.size(), [](const nsradar::ingest::DnsEvent&) {});
  };
  bool open = true;
  for (size_t at = 1; at < size; at += piece) {
    std::string_view bytes(reinterpret_cast<const char*>(data) + at, std::min(piece, size - at));
    bool now_open = receiver.Feed(bytes, &reply, on_frame, &error);
    if (!open && now_open) __builtin_trap();  // closed stays closed
    open = now_open;
    if (receiver.buffered() > FrameStreamReceiver::kMaxDataFrame + 8) __builtin_trap();
  }
  if (!reply.empty() && reply != accept && reply != finish && reply != accept + finish) __builtin_trap();
  decoder.Finish([](const nsradar::ingest::DnsEvent&) {});
  return 0;
}

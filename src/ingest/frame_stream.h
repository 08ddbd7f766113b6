// FrameStreamReceiver: the receiving end of a bidirectional Frame Streams
// connection (fstrm, the transport of dnstap) as a state machine, without
// the socket: bytes go in, the control frames to send back and the data
// frames come out. The socket source drives it; the fuzzer feeds it
// directly.
//
// The protocol (https://github.com/farsightsec/fstrm, "Bidirectional"):
//   sender READY(content types) -> receiver ACCEPT(content type)
//   sender START(content type), data frames..., STOP -> receiver FINISH
// A frame is a 32-bit big-endian length and that many bytes; length 0
// escapes a control frame: 32-bit length, 32-bit type, then fields
// (32-bit field type, 32-bit length, bytes). Only the content type
// "protobuf:dnstap.Dnstap" is accepted.
//
// Bounded: a connection never holds more than one frame (at most 1 MiB of
// data, 4 KiB of control) plus one read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace nsradar::ingest {

class FrameStreamReceiver {
 public:
  static constexpr uint32_t kMaxDataFrame = 1 << 20;
  static constexpr uint32_t kMaxControlFrame = 4096;

  enum class State { kWaitReady, kWaitStart, kData, kFinished, kBroken };

  // Consumes `bytes`. Appends what must be sent back to *reply (ACCEPT after
  // READY, FINISH after STOP) and calls on_frame with each data frame.
  // Returns false once the connection is over: after STOP (state kFinished)
  // or on a protocol error (state kBroken, *error saying what).
  bool Feed(std::string_view bytes, std::string* reply, const std::function<void(std::string_view frame)>& on_frame,
            std::string* error);

  State state() const { return state_; }
  // Bytes received but not yet a whole frame (a sender that left here cut
  // a frame short).
  size_t buffered() const { return buffer_.size(); }

 private:
  bool Control(std::string_view body, std::string* reply, std::string* error);
  bool Fail(std::string* error, std::string why);

  State state_ = State::kWaitReady;
  std::string buffer_;
};

// A control frame as senders write them: escape, length, type and, when
// given, one content type field. Used by the receiver and by tests.
std::string FrameStreamControl(uint32_t type, std::string_view content_type = {});

inline constexpr uint32_t kFstrmAccept = 1, kFstrmStart = 2, kFstrmStop = 3, kFstrmReady = 4, kFstrmFinish = 5;
inline constexpr std::string_view kDnstapContentType = "protobuf:dnstap.Dnstap";

}  // namespace nsradar::ingest

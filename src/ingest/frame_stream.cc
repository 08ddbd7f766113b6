#include "ingest/frame_stream.h"

#include <fmt/format.h>

namespace nsradar::ingest {
namespace {

constexpr uint32_t kFieldContentType = 1;

uint32_t Be32(std::string_view s, size_t at) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

void PutBe32(std::string* s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s->push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

std::string FrameStreamControl(uint32_t type, std::string_view content_type) {
  std::string body;
  PutBe32(&body, type);
  if (!content_type.empty()) {
    PutBe32(&body, kFieldContentType);
    PutBe32(&body, static_cast<uint32_t>(content_type.size()));
    body.append(content_type);
  }
  std::string frame;
  PutBe32(&frame, 0);
  PutBe32(&frame, static_cast<uint32_t>(body.size()));
  return frame + body;
}

bool FrameStreamReceiver::Fail(std::string* error, std::string why) {
  state_ = State::kBroken;
  *error = std::move(why);
  buffer_.clear();
  return false;
}

// `body`: the control frame after its length (type, then fields).
bool FrameStreamReceiver::Control(std::string_view body, std::string* reply, std::string* error) {
  if (body.size() < 4) return Fail(error, "control frame without a type");
  const uint32_t type = Be32(body, 0);
  // READY and START name content types; ours must be among them.
  bool offers_dnstap = false, names_any = false;
  for (size_t pos = 4; pos < body.size();) {
    if (body.size() - pos < 8) return Fail(error, fmt::format("control frame field cut short at byte {}", pos));
    const uint32_t field = Be32(body, pos), len = Be32(body, pos + 4);
    if (len > body.size() - pos - 8)
      return Fail(error, fmt::format("control field of {} bytes overruns its frame", len));
    if (field == kFieldContentType) {
      names_any = true;
      offers_dnstap |= body.substr(pos + 8, len) == kDnstapContentType;
    }
    pos += 8 + len;
  }
  switch (type) {
    case kFstrmReady:
      if (state_ != State::kWaitReady) return Fail(error, "READY out of turn");
      if (!offers_dnstap) return Fail(error, "READY does not offer protobuf:dnstap.Dnstap");
      reply->append(FrameStreamControl(kFstrmAccept, kDnstapContentType));
      state_ = State::kWaitStart;
      return true;
    case kFstrmStart:
      // A unidirectional sender (a file's writer) starts without READY.
      if (state_ != State::kWaitStart && state_ != State::kWaitReady) return Fail(error, "START out of turn");
      if (names_any && !offers_dnstap) return Fail(error, "START names a content type other than dnstap");
      state_ = State::kData;
      return true;
    case kFstrmStop:
      reply->append(FrameStreamControl(kFstrmFinish));
      state_ = State::kFinished;
      return false;
    default:
      return Fail(error, fmt::format("unexpected control frame type {}", type));
  }
}

bool FrameStreamReceiver::Feed(std::string_view bytes, std::string* reply,
                               const std::function<void(std::string_view frame)>& on_frame, std::string* error) {
  if (state_ == State::kFinished || state_ == State::kBroken) return false;
  buffer_.append(bytes);
  size_t pos = 0;
  bool open = true;
  while (open && buffer_.size() - pos >= 4) {
    const uint32_t len = Be32(buffer_, pos);
    if (len == 0) {
      if (buffer_.size() - pos < 8) break;
      const uint32_t clen = Be32(buffer_, pos + 4);
      if (clen > kMaxControlFrame) return Fail(error, fmt::format("control frame of {} bytes", clen));
      if (buffer_.size() - pos - 8 < clen) break;
      open = Control(std::string_view(buffer_).substr(pos + 8, clen), reply, error);
      if (state_ == State::kBroken) return false;
      pos += 8 + clen;
      continue;
    }
    if (len > kMaxDataFrame) return Fail(error, fmt::format("data frame of {} bytes (at most {})", len, kMaxDataFrame));
    if (state_ != State::kData) return Fail(error, "data before START");
    if (buffer_.size() - pos - 4 < len) break;
    on_frame(std::string_view(buffer_).substr(pos + 4, len));
    pos += 4 + len;
  }
  buffer_.erase(0, pos);
  return open;
}

}  // namespace nsradar::ingest

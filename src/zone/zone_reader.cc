#include "zone/zone_reader.h"

#include <array>
#include <charconv>
#include <cstring>
#include <vector>

#include "dns/name.h"
#include "dns/rr_type.h"
#include "util/byte_source.h"
#include "zone/block_scanner.h"
#include "zone/fast_name.h"

namespace nsradar::zone {
namespace {

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool ParseU32(std::string_view text, uint32_t* out) {
  if (text.empty() || text.size() > 10) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (!IsDigit(c)) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Validation shapes for rdata of types whose data the index does not use.
//   N name   U unsigned 32-bit number   T TTL   S character-string (<= 255)
//   X any single token   * one or more further tokens   ? zero or more
struct Shape {
  uint16_t type;
  const char* fields;
};
constexpr Shape kShapes[] = {
    {5, "N"},        {39, "N"},    {12, "N"},    {3, "N"},     {4, "N"},          {7, "N"},     {8, "N"},
    {9, "N"},        {15, "UN"},   {18, "UN"},   {21, "UN"},   {36, "UN"},        {16, "S*"},   {99, "S*"},
    {13, "SS"},      {14, "NN"},   {17, "NN"},   {33, "UUUN"}, {35, "UUSSSN"},    {43, "UUU*"}, {59, "UUU*"},
    {32769, "UUU*"}, {48, "UUU*"}, {60, "UUU*"}, {25, "UUU*"}, {46, "XUUUXXUN*"}, {47, "N?"},   {50, "UUUXX?"},
    {51, "UUUX"},    {52, "UUU*"}, {53, "UUU*"}, {44, "UU*"},  {257, "UXS"},      {63, "UUU*"}, {64, "UN?"},
    {65, "UN?"},     {37, "XUX*"},
};

const char* FindShape(uint16_t type) {
  for (const auto& s : kShapes) {
    if (s.type == type) return s.fields;
  }
  return nullptr;
}

// Length of a character-string once its escapes are resolved.
size_t UnescapedLength(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) i += s[i] == '\\' ? (i + 1 < s.size() && IsDigit(s[i + 1]) ? 4 : 2) : 1;
  return n;
}

// A token of the record being parsed: a view into the input buffer (lines
// without specials) or into the general path's scratch copy.
struct Token {
  const char* data;
  uint32_t length;
  bool quoted;
};

// The tokens of the record being parsed. Its storage never shrinks, so
// that filling it per line allocates nothing and checks capacity once.
class TokenList {
 public:
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  void clear() { n_ = 0; }
  const Token& operator[](size_t i) const { return v_[i]; }
  Token* begin() { return v_.data(); }
  Token* end() { return v_.data() + n_; }
  void push_back(const Token& t) { *Room(1) = t, ++n_; }
  // Room for `more` tokens after the last one, to be kept with Keep.
  Token* Room(size_t more) {
    if (n_ + more > v_.size()) v_.resize(n_ + more);
    return v_.data() + n_;
  }
  void Keep(size_t more) { n_ += more; }

 private:
  std::vector<Token> v_;
  size_t n_ = 0;
};

// The first position in [from, to) whose bit is set in the masks' field, or
// `to`. The masks must cover [from, to).
template <uint64_t BlockMasks::*kField>
size_t FindFirst(const BlockMasks* masks, size_t from, size_t to) {
  if (from >= to) return to;
  size_t b = from / kScanBlock;
  const size_t last = (to - 1) / kScanBlock;
  uint64_t w = masks[b].*kField & (~uint64_t{0} << (from % kScanBlock));
  while (w == 0) {
    if (b == last) return to;
    w = masks[++b].*kField;
  }
  const size_t at = b * kScanBlock + static_cast<size_t>(__builtin_ctzll(w));
  return at < to ? at : to;
}

}  // namespace

bool ParseTtl(std::string_view text, uint32_t* out) {
  if (text.empty() || !IsDigit(text[0])) return false;
  uint64_t total = 0, number = 0;
  bool digits = false, any_unit = false;
  for (char c : text) {
    if (IsDigit(c)) {
      number = number * 10 + static_cast<uint64_t>(c - '0');
      if (number > 0x7fffffffULL) return false;
      digits = true;
      continue;
    }
    if (!digits) return false;
    uint64_t unit;
    switch (c | 0x20) {
      case 'w':
        unit = 604800;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'm':
        unit = 60;
        break;
      case 's':
        unit = 1;
        break;
      default:
        return false;
    }
    total += number * unit;
    number = 0;
    digits = false;
    any_unit = true;
    if (total > 0x7fffffffULL) return false;
  }
  if (digits) {
    if (any_unit) return false;  // "1h30" is ambiguous: BIND rejects it too
    total = number;
  }
  if (total > 0x7fffffffULL) return false;
  *out = static_cast<uint32_t>(total);
  return true;
}

// One open file: its bytes, position and parsing context. Included files get
// an Input of their own on the reader's stack.
struct Input {
  std::string path;
  std::string dir;  // for resolving $INCLUDE
  std::unique_ptr<ByteSource> source;
  std::vector<char> buf;
  // The scanner's masks of buf[0, end): masks[b] covers bytes [64b, 64b + 64).
  // Bits at or past `end` in the last block are meaningless and never read.
  std::vector<BlockMasks> masks;
  size_t pos = 0, end = 0;
  uint64_t line = 0;
  bool eof = false;
  bool skipping_long_line = false;
  std::string origin;
  size_t origin_wire = 1;  // dns::WireLength(origin), for the NameParseFn
  std::string last_owner;
  bool has_last_owner = false;
};

class ZoneReader::Impl {
 public:
  explicit Impl(ReaderOptions options)
      : opt_(std::move(options)), classify_(ClassifierFor(opt_.kernel)), parse_name_(NameParserFor(opt_.kernel)) {}

  void Push(std::unique_ptr<ByteSource> source, std::string path) {
    Push(std::move(source), std::move(path), opt_.origin);
  }
  void Push(std::unique_ptr<ByteSource> source, std::string path, std::string origin) {
    auto in = std::make_unique<Input>();
    in->path = std::move(path);
    size_t slash = in->path.rfind('/');
    in->dir = slash == std::string::npos ? "" : in->path.substr(0, slash + 1);
    in->source = std::move(source);
    // The buffer grows on demand up to max_record_bytes + kReadChunk, so small
    // inputs (and fuzzing) stay cheap while the bound still holds.
    in->buf.resize(std::min<size_t>(opt_.max_record_bytes + kReadChunk, 64 * 1024));
    in->origin = std::move(origin);
    in->origin_wire = dns::WireLength(in->origin);
    stack_.push_back(std::move(in));
    fast_raw_owner_.clear();
  }

  bool Next(Record* out);

  Status status_;
  ReaderStats stats_;
  std::vector<std::unique_ptr<Input>> stack_;
  uint64_t top_raw_size_ = 0;
  uint64_t top_raw_offset_ = 0;

 private:
  static constexpr size_t kReadChunk = 256 * 1024;

  bool NextLine(Input& in, std::string_view* line);
  void Index(Input& in, size_t from);
  bool Fatal(Status s) {
    status_ = std::move(s);
    return false;
  }
  void Error(const Input& in, uint64_t line, std::string reason);
  enum class Outcome { kRecord, kNothing, kFallback };
  Outcome ParseLine(Input& in, std::string_view line, Record* out);
  void TokensFromIndex(const Input& in, size_t from, size_t to);
  Outcome ParseFast(Input& in, Record* out);
  Outcome ParseGeneral(Input& in, std::string_view first_line, Record* out);
  Outcome ParseTokens(Input& in, uint64_t line, Record* out);
  bool Tokenize(Input& in, std::string_view first_line, uint64_t start_line);
  Outcome Directive(Input& in, uint64_t line);
  bool ParseRdata(Input& in, uint64_t line, size_t t, Record* out);
  bool ParseGenericRdata(Input& in, uint64_t line, size_t t, Record* out);
  bool ValidateShape(Input& in, uint64_t line, const char* shape, size_t t);
  std::string_view Tok(size_t i) const { return {tokens_[i].data, tokens_[i].length}; }
  bool TooManyErrors() const { return stats_.records == 0 && stats_.errors >= opt_.max_errors_before_first_record; }

  ReaderOptions opt_;
  ClassifyFn classify_;
  NameParseFn parse_name_;
  std::string owner_;   // canonical owner of the record being returned
  std::string target_;  // canonical NS target
  // The fast path's last owner as written, to skip parsing it again. When not
  // empty, owner_ is its canonical form and the current Input's last_owner
  // is owner_: whatever else writes owner_ or changes the Input clears it.
  std::string fast_raw_owner_;
  std::string scratch_;  // token bytes of lines with specials, copied by Tokenize
  TokenList tokens_;
  bool blank_owner_ = false;
  uint32_t default_ttl_ = 0;
  bool has_default_ttl_ = false;
  uint32_t last_ttl_ = 0;
  bool has_last_ttl_ = false;
};

void ZoneReader::Impl::Error(const Input& in, uint64_t line, std::string reason) {
  ++stats_.errors;
  if (opt_.on_error) opt_.on_error(Diagnostic{in.path, line, std::move(reason)});
}

// Classifies buf[from, end) again, from the block holding `from`: after a
// read appended bytes (the last partial block gains some) or the buffer moved.
void ZoneReader::Impl::Index(Input& in, size_t from) {
  const size_t first = from / kScanBlock;
  const size_t whole = in.end / kScanBlock;
  const size_t blocks = (in.end + kScanBlock - 1) / kScanBlock;
  if (in.masks.size() < blocks) in.masks.resize(blocks);
  const char* data = in.buf.data();
  if (whole > first) {
    classify_(data + first * kScanBlock, whole - first, first > 0 && IsTokenByte(data[first * kScanBlock - 1]),
              &in.masks[first]);
  }
  if (blocks > whole) {
    // The partial last block goes through a copy, so no kernel reads past
    // the buffer; its padding is never looked at (bits at or past `end`).
    alignas(kScanBlock) char tail[kScanBlock] = {};
    const size_t at = whole * kScanBlock;
    std::memcpy(tail, data + at, in.end - at);
    classify_(tail, 1, at > 0 && IsTokenByte(data[at - 1]), &in.masks[whole]);
  }
}

// Returns the next physical line without its terminator. Memory stays within
// the Input's fixed buffer: a longer line is reported and skipped.
bool ZoneReader::Impl::NextLine(Input& in, std::string_view* line) {
  for (;;) {
    if (in.pos < in.end) {
      const char* start = in.buf.data() + in.pos;
      const size_t nl = FindFirst<&BlockMasks::newline>(in.masks.data(), in.pos, in.end);
      if (nl < in.end) {
        size_t len = nl - in.pos;
        in.pos = nl + 1;
        ++in.line;
        ++stats_.lines;
        if (in.skipping_long_line) {
          in.skipping_long_line = false;
          continue;
        }
        if (len > 0 && start[len - 1] == '\r') --len;
        *line = std::string_view(start, len);
        return true;
      }
    }
    if (in.eof) {
      if (in.pos < in.end) {
        const char* start = in.buf.data() + in.pos;
        size_t len = in.end - in.pos;
        in.pos = in.end;
        ++in.line;
        ++stats_.lines;
        if (in.skipping_long_line) {
          in.skipping_long_line = false;
          return false;
        }
        if (len > 0 && start[len - 1] == '\r') --len;
        *line = std::string_view(start, len);
        return true;
      }
      return false;
    }
    size_t index_from = in.end;  // the masks below stay valid unless bytes move
    if (in.skipping_long_line) {
      in.pos = in.end = 0;
      index_from = 0;
    } else if (in.pos > 0) {
      std::memmove(in.buf.data(), in.buf.data() + in.pos, in.end - in.pos);
      in.end -= in.pos;
      in.pos = 0;
      index_from = 0;
    }
    if (in.end == in.buf.size() && in.buf.size() < opt_.max_record_bytes + kReadChunk) {
      in.buf.resize(std::min(in.buf.size() * 2, opt_.max_record_bytes + kReadChunk));
    }
    if (in.end >= opt_.max_record_bytes) {
      Error(in, in.line + 1, "line longer than " + std::to_string(opt_.max_record_bytes) + " bytes; skipped");
      in.skipping_long_line = true;
      in.pos = in.end = 0;
      index_from = 0;
      if (TooManyErrors()) return Fatal(Status::Corruption(in.path + ": not a zone file"));
    }
    size_t got = 0;
    Status s = in.source->Read(in.buf.data() + in.end, in.buf.size() - in.end, &got);
    if (!s.ok()) return Fatal(s);
    if (got == 0) {
      in.eof = true;
      Index(in, index_from);
      continue;
    }
    if (std::memchr(in.buf.data() + in.end, '\0', got) != nullptr) {
      const char* nul = static_cast<const char*>(std::memchr(in.buf.data() + in.end, '\0', got));
      return Fatal(Status::Corruption(
          in.path + ":" + std::to_string(in.line + 1) + ": binary data (NUL byte) near offset " +
          std::to_string(in.source->raw_offset() - got + static_cast<size_t>(nul - (in.buf.data() + in.end))) +
          "; not a zone file"));
    }
    in.end += got;
    Index(in, index_from);
  }
}

bool ZoneReader::Impl::Next(Record* out) {
  while (!stack_.empty() && status_.ok()) {
    Input& in = *stack_.back();
    std::string_view line;
    if (!NextLine(in, &line)) {
      if (!status_.ok()) return false;
      if (stack_.size() == 1) {
        top_raw_offset_ = in.source->raw_offset();
        return false;
      }
      stack_.pop_back();
      fast_raw_owner_.clear();
      continue;
    }
    if (stack_.size() == 1 && (in.line & 0x3fff) == 0) top_raw_offset_ = in.source->raw_offset();
    uint64_t line_no = in.line;
    Outcome o = ParseLine(in, line, out);
    if (!status_.ok()) return false;
    if (o == Outcome::kRecord) {
      ++stats_.records;
      out->file = in.path;
      out->line = line_no;
      return true;
    }
    if (TooManyErrors()) {
      return Fatal(Status::Corruption(in.path + ": " + std::to_string(stats_.errors) +
                                      " errors and no valid record; not a zone file"));
    }
  }
  return false;
}

// A line without specials (quotes, escapes, parentheses, control
// characters), or whose first special opens a comment, is tokenized from the
// scanner's boundaries: what Tokenize would find, without copying or looking
// at each byte again. Any other line takes the full grammar. A line longer
// than max_record_bytes also does, so that Tokenize reports it.
ZoneReader::Impl::Outcome ZoneReader::Impl::ParseLine(Input& in, std::string_view line, Record* out) {
  if (line.size() > opt_.max_record_bytes) return ParseGeneral(in, line, out);
  const size_t from = static_cast<size_t>(line.data() - in.buf.data());
  const size_t to = from + line.size();
  const size_t special = FindFirst<&BlockMasks::special>(in.masks.data(), from, to);
  if (special < to && in.buf[special] != ';') return ParseGeneral(in, line, out);
  TokensFromIndex(in, from, special);
  blank_owner_ = !line.empty() && IsBlank(line[0]);
  if (tokens_.empty()) return Outcome::kNothing;
  const Outcome o = ParseFast(in, out);
  return o == Outcome::kFallback ? ParseTokens(in, in.line, out) : o;
}

// Boundaries in [from, to) alternate between the start of a token and the
// byte after it (the byte before `from` ends a line, so it is no token
// byte); a token still open at `to` ends there.
void ZoneReader::Impl::TokensFromIndex(const Input& in, size_t from, size_t to) {
  tokens_.clear();
  if (from >= to) return;
  // Tokens and the blanks between them take a byte at least each.
  Token* t = tokens_.Room((to - from + 1) / 2);
  size_t k = 0;
  const char* base = in.buf.data();
  const BlockMasks* masks = in.masks.data();
  size_t b = from / kScanBlock;
  const size_t last = (to - 1) / kScanBlock;
  const uint64_t last_bits = to % kScanBlock == 0 ? ~uint64_t{0} : (uint64_t{1} << (to % kScanBlock)) - 1;
  uint64_t w = masks[b].boundary & (~uint64_t{0} << (from % kScanBlock));
  size_t start = 0;
  bool open = false;
  for (;;) {
    if (b == last) w &= last_bits;
    for (; w != 0; w &= w - 1) {
      const size_t at = b * kScanBlock + static_cast<size_t>(__builtin_ctzll(w));
      if (open) {
        t[k++] = Token{base + start, static_cast<uint32_t>(at - start), false};
      } else {
        start = at;
      }
      open = !open;
    }
    if (b == last) break;
    w = masks[++b].boundary;
  }
  if (open) t[k++] = Token{base + start, static_cast<uint32_t>(to - start), false};
  tokens_.Keep(k);
}

// The CZDS fast path: `owner. ttl class type rdata` with absolute names.
// Anything else, and anything the checks here would reject, falls back to
// ParseTokens, which accepts or reports it; on the records both accept they
// agree (FastAndGeneralPathsAgree).
ZoneReader::Impl::Outcome ZoneReader::Impl::ParseFast(Input& in, Record* out) {
  if (blank_owner_ || tokens_.size() != 5) return Outcome::kFallback;
  const std::string_view owner = Tok(0), ttl_text = Tok(1), cls = Tok(2), t = Tok(3), rdata = Tok(4);
  if (owner[0] == '$' || owner.back() != '.') return Outcome::kFallback;
  uint32_t ttl;
  if (!ParseU32(ttl_text, &ttl) || ttl > 0x7fffffffU) return Outcome::kFallback;
  if (cls.size() != 2 || (cls[0] | 0x20) != 'i' || (cls[1] | 0x20) != 'n') return Outcome::kFallback;
  uint16_t type;
  if (t.size() == 2 && (t[0] | 0x20) == 'n' && (t[1] | 0x20) == 's') {
    type = dns::rr::kNS;
  } else if (t.size() == 1 && (t[0] | 0x20) == 'a') {
    type = dns::rr::kA;
  } else if (t.size() == 4 && (t[0] | 0x20) == 'a' && (t[1] | 0x20) == 'a' && (t[2] | 0x20) == 'a' &&
             (t[3] | 0x20) == 'a') {
    type = dns::rr::kAAAA;
  } else {
    return Outcome::kFallback;
  }
  if (owner != fast_raw_owner_) {
    fast_raw_owner_.clear();  // owner_ changes: the cache says nothing until set again
    owner_.clear();
    if (parse_name_(owner, in.origin, in.origin_wire, &owner_) != nullptr) return Outcome::kFallback;
    fast_raw_owner_.assign(owner);
    in.last_owner = owner_;
    in.has_last_owner = true;
  }
  out->type = type;
  out->rclass = dns::rrclass::kIN;
  out->ttl = ttl;
  out->owner = owner_;
  out->ns_target = {};
  out->soa_serial = 0;
  if (type == dns::rr::kNS) {
    target_.clear();
    if (rdata.back() != '.' || parse_name_(rdata, in.origin, in.origin_wire, &target_) != nullptr) {
      return Outcome::kFallback;
    }
    out->ns_target = target_;
  } else {
    auto a = type == dns::rr::kA ? dns::Address::ParseV4(rdata) : dns::Address::ParseV6(rdata);
    if (!a) return Outcome::kFallback;
    out->address = *a;
  }
  last_ttl_ = ttl;
  has_last_ttl_ = true;
  ++stats_.fast_path_records;
  return Outcome::kRecord;
}

// Splits a logical record into tokens, reading further lines while a
// parenthesis is open. Token bytes go to scratch_, escapes left in place.
bool ZoneReader::Impl::Tokenize(Input& in, std::string_view line, uint64_t start_line) {
  scratch_.clear();
  tokens_.clear();
  blank_owner_ = !line.empty() && IsBlank(line[0]);
  int depth = 0;
  uint64_t open_line = 0;
  bool overflow = false;
  for (;;) {
    size_t i = 0, n = line.size();
    while (i < n) {
      char c = line[i];
      if (IsBlank(c)) {
        ++i;
        continue;
      }
      if (c == ';') break;
      if (c == '(') {
        if (depth++ == 0) open_line = in.line;
        ++i;
        continue;
      }
      if (c == ')') {
        if (depth == 0) {
          Error(in, in.line, "')' without a matching '('");
          return false;
        }
        --depth;
        ++i;
        continue;
      }
      size_t begin, stop;
      bool quoted = c == '"';
      if (quoted) {
        size_t j = i + 1;
        while (j < n && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
        if (j >= n) {
          Error(in, in.line, "unterminated quoted string");
          return false;
        }
        begin = i + 1;
        stop = j;
        i = j + 1;
      } else {
        size_t j = i;
        while (j < n && !IsBlank(line[j]) && line[j] != ';' && line[j] != '(' && line[j] != ')' && line[j] != '"') {
          if (static_cast<uint8_t>(line[j]) < 0x20) {
            Error(in, in.line,
                  "control character 0x" + std::to_string(static_cast<int>(line[j])) + " outside a quoted string");
            return false;
          }
          j += line[j] == '\\' ? 2 : 1;
        }
        if (j > n) {
          Error(in, in.line, "backslash at the end of a line");
          return false;
        }
        begin = i;
        stop = j;
        i = j;
      }
      // Past the limit the record is still scanned to its closing
      // parenthesis, so its remaining lines are not taken for records.
      if (overflow || scratch_.size() + (stop - begin) > opt_.max_record_bytes) {
        overflow = true;
        continue;
      }
      // The data pointer is set once scratch_ stops growing, below.
      tokens_.push_back(Token{nullptr, static_cast<uint32_t>(stop - begin), quoted});
      scratch_.append(line.substr(begin, stop - begin));
    }
    if (depth == 0) {
      if (overflow) {
        Error(in, start_line, "record longer than " + std::to_string(opt_.max_record_bytes) + " bytes");
        return false;
      }
      // Tokens lie end to end in scratch_, in order.
      const char* p = scratch_.data();
      for (Token& t : tokens_) {
        t.data = p;
        p += t.length;
      }
      return true;
    }
    if (!NextLine(in, &line)) {
      if (status_.ok()) Error(in, open_line, "unterminated parenthesis (opened here, file ends inside it)");
      return false;
    }
  }
}

ZoneReader::Impl::Outcome ZoneReader::Impl::Directive(Input& in, uint64_t line) {
  std::string_view d = Tok(0);
  auto is = [&](std::string_view name) {
    if (d.size() != name.size()) return false;
    for (size_t k = 0; k < d.size(); ++k) {
      if ((d[k] >= 'a' && d[k] <= 'z' ? d[k] - 32 : d[k]) != name[k]) return false;
    }
    return true;
  };
  if (is("$ORIGIN")) {
    if (tokens_.size() != 2) {
      Error(in, line, "$ORIGIN takes exactly one name");
      return Outcome::kNothing;
    }
    std::string origin;
    if (const char* err = dns::ParseName(Tok(1), in.origin, &origin)) {
      Error(in, line, std::string("bad $ORIGIN: ") + err);
      return Outcome::kNothing;
    }
    in.origin = std::move(origin);
    in.origin_wire = dns::WireLength(in.origin);
    return Outcome::kNothing;
  }
  if (is("$TTL")) {
    uint32_t ttl;
    if (tokens_.size() != 2 || !ParseTtl(Tok(1), &ttl)) {
      Error(in, line, "bad $TTL (expected one TTL of at most 2147483647 seconds)");
      return Outcome::kNothing;
    }
    default_ttl_ = ttl;
    has_default_ttl_ = true;
    return Outcome::kNothing;
  }
  if (is("$INCLUDE")) {
    if (tokens_.size() < 2 || tokens_.size() > 3) {
      Error(in, line, "$INCLUDE takes a file name and an optional origin");
      return Outcome::kNothing;
    }
    if (!opt_.allow_include) {
      Error(in, line, "$INCLUDE is disabled");
      return Outcome::kNothing;
    }
    if (static_cast<int>(stack_.size()) > opt_.max_include_depth) {
      Error(in, line, "$INCLUDE nested deeper than " + std::to_string(opt_.max_include_depth));
      return Outcome::kNothing;
    }
    std::string origin = in.origin;
    if (tokens_.size() == 3) {
      origin.clear();
      if (const char* err = dns::ParseName(Tok(2), in.origin, &origin)) {
        Error(in, line, std::string("bad $INCLUDE origin: ") + err);
        return Outcome::kNothing;
      }
    }
    std::string file(Tok(1));
    if (!file.empty() && file[0] != '/') file = in.dir + file;
    std::unique_ptr<ByteSource> src;
    Status s = ByteSource::Open(file, &src);
    if (!s.ok()) {
      Error(in, line, "cannot $INCLUDE: " + s.message());
      return Outcome::kNothing;
    }
    Push(std::move(src), file, std::move(origin));
    return Outcome::kNothing;
  }
  Error(in, line, "unsupported directive " + std::string(d));
  return Outcome::kNothing;
}

ZoneReader::Impl::Outcome ZoneReader::Impl::ParseGeneral(Input& in, std::string_view first_line, Record* out) {
  const uint64_t line = in.line;
  if (!Tokenize(in, first_line, line)) return Outcome::kNothing;
  if (tokens_.empty()) return Outcome::kNothing;
  return ParseTokens(in, line, out);
}

// The full grammar of a record, from its tokens: a directive, or an owner
// (or blank), TTL and class in either order, type and rdata.
ZoneReader::Impl::Outcome ZoneReader::Impl::ParseTokens(Input& in, uint64_t line, Record* out) {
  fast_raw_owner_.clear();
  size_t t = 0;
  if (!blank_owner_) {
    if (!tokens_[0].quoted && Tok(0)[0] == '$') return Directive(in, line);
    owner_.clear();
    if (const char* err = parse_name_(Tok(0), in.origin, in.origin_wire, &owner_)) {
      Error(in, line, std::string("bad owner name: ") + err);
      return Outcome::kNothing;
    }
    in.last_owner = owner_;
    in.has_last_owner = true;
    t = 1;
  } else {
    if (!in.has_last_owner) {
      Error(in, line, "record starts with blank owner but there is no previous owner");
      return Outcome::kNothing;
    }
    owner_ = in.last_owner;
  }
  bool has_ttl = false, has_class = false;
  uint32_t ttl = 0;
  uint16_t rclass = dns::rrclass::kIN;
  for (int k = 0; k < 2 && t < tokens_.size(); ++k) {
    std::string_view tok = Tok(t);
    if (!has_class && !tokens_[t].quoted) {
      if (auto c = dns::ClassFromMnemonic(tok)) {
        rclass = *c;
        has_class = true;
        ++t;
        continue;
      }
    }
    if (!has_ttl && IsDigit(tok[0])) {
      if (!ParseTtl(tok, &ttl)) {
        Error(in, line, "bad TTL '" + std::string(tok) + "'");
        return Outcome::kNothing;
      }
      has_ttl = true;
      ++t;
      continue;
    }
    break;
  }
  if (t >= tokens_.size()) {
    Error(in, line, "missing record type");
    return Outcome::kNothing;
  }
  auto type = dns::TypeFromMnemonic(Tok(t));
  if (!type || tokens_[t].quoted) {
    Error(in, line, "unknown record type '" + std::string(Tok(t).substr(0, 64)) + "'");
    return Outcome::kNothing;
  }
  ++t;
  if (has_ttl) {
    last_ttl_ = ttl;
    has_last_ttl_ = true;
  } else if (has_default_ttl_) {
    ttl = default_ttl_;
  } else if (has_last_ttl_) {
    ttl = last_ttl_;
  } else {
    Error(in, line, "no TTL on the record and no $TTL before it");
    return Outcome::kNothing;
  }
  out->type = *type;
  out->rclass = rclass;
  out->ttl = ttl;
  out->ns_target = {};
  out->soa_serial = 0;
  if (!ParseRdata(in, line, t, out)) return Outcome::kNothing;
  out->owner = owner_;
  return Outcome::kRecord;
}

bool ZoneReader::Impl::ParseRdata(Input& in, uint64_t line, size_t t, Record* out) {
  size_t n = tokens_.size() - t;
  if (n >= 1 && !tokens_[t].quoted && Tok(t) == "\\#") return ParseGenericRdata(in, line, t, out);
  switch (out->type) {
    case dns::rr::kNS: {
      if (n != 1) {
        Error(in, line, "NS needs exactly one name server name");
        return false;
      }
      target_.clear();
      if (const char* err = parse_name_(Tok(t), in.origin, in.origin_wire, &target_)) {
        Error(in, line, std::string("bad NS target: ") + err);
        return false;
      }
      out->ns_target = target_;
      return true;
    }
    case dns::rr::kA:
    case dns::rr::kAAAA: {
      auto a = n == 1 ? (out->type == dns::rr::kA ? dns::Address::ParseV4(Tok(t)) : dns::Address::ParseV6(Tok(t)))
                      : std::nullopt;
      if (!a) {
        Error(in, line, "bad " + dns::TypeToString(out->type) + " address");
        return false;
      }
      out->address = *a;
      return true;
    }
    case dns::rr::kSOA: {
      if (!ValidateShape(in, line, "NNUTTTT", t)) return false;
      ParseU32(Tok(t + 2), &out->soa_serial);
      return true;
    }
    default:
      break;
  }
  if (const char* shape = FindShape(out->type)) return ValidateShape(in, line, shape, t);
  const std::string type_name = dns::TypeToString(out->type);
  if (type_name.rfind("TYPE", 0) == 0) {
    Error(in, line, type_name + " has no known presentation format; use \\# rdata (RFC 3597)");
    return false;
  }
  if (n == 0) {
    Error(in, line, type_name + " record without rdata");
    return false;
  }
  return true;
}

bool ZoneReader::Impl::ValidateShape(Input& in, uint64_t line, const char* shape, size_t t) {
  std::string scratch;
  size_t i = t;
  for (const char* s = shape; *s; ++s) {
    if (*s == '*' || *s == '?') {
      if (*s == '*' && i >= tokens_.size()) {
        Error(in, line, "rdata has too few fields");
        return false;
      }
      i = tokens_.size();
      break;
    }
    if (i >= tokens_.size()) {
      Error(in, line, "rdata has too few fields");
      return false;
    }
    std::string_view tok = Tok(i);
    uint32_t v;
    switch (*s) {
      case 'N':
        scratch.clear();
        if (const char* err = dns::ParseName(tok, in.origin, &scratch)) {
          Error(in, line, std::string("bad name in rdata: ") + err);
          return false;
        }
        break;
      case 'U':
        if (!ParseU32(tok, &v)) {
          Error(in, line, "bad number '" + std::string(tok.substr(0, 32)) + "' in rdata");
          return false;
        }
        break;
      case 'T':
        if (!ParseTtl(tok, &v)) {
          Error(in, line, "bad time value '" + std::string(tok.substr(0, 32)) + "' in rdata");
          return false;
        }
        break;
      case 'S':
        if (UnescapedLength(tok) > 255) {
          Error(in, line, "character-string longer than 255 bytes");
          return false;
        }
        if (s[1] == '*') {  // S*: every remaining token is a string
          for (size_t k = i; k < tokens_.size(); ++k) {
            if (UnescapedLength(Tok(k)) > 255) {
              Error(in, line, "character-string longer than 255 bytes");
              return false;
            }
          }
          return true;
        }
        break;
      default:
        break;
    }
    ++i;
  }
  if (i != tokens_.size()) {
    Error(in, line, "rdata has too many fields");
    return false;
  }
  return true;
}

// RFC 3597: `\# <length> <hex>...`. For the types the index uses the wire
// data is decoded, so a zone written in generic form loses nothing.
bool ZoneReader::Impl::ParseGenericRdata(Input& in, uint64_t line, size_t t, Record* out) {
  uint32_t len;
  if (t + 1 >= tokens_.size() || !ParseU32(Tok(t + 1), &len) || len > 65535) {
    Error(in, line, "\\# needs a length of at most 65535");
    return false;
  }
  std::string wire;
  for (size_t k = t + 2; k < tokens_.size(); ++k) {
    std::string_view hex = Tok(k);
    if (hex.size() % 2) {
      Error(in, line, "\\# hex field has an odd number of digits");
      return false;
    }
    for (size_t j = 0; j < hex.size(); j += 2) {
      int hi = HexValue(hex[j]), lo = HexValue(hex[j + 1]);
      if (hi < 0 || lo < 0) {
        Error(in, line, "\\# rdata is not hexadecimal");
        return false;
      }
      wire.push_back(static_cast<char>(hi * 16 + lo));
    }
    if (wire.size() > len) break;
  }
  if (wire.size() != len) {
    Error(in, line,
          "\\# length " + std::to_string(len) + " does not match " + std::to_string(wire.size()) + " bytes of data");
    return false;
  }
  const auto* w = reinterpret_cast<const uint8_t*>(wire.data());
  size_t used = 0;
  switch (out->type) {
    case dns::rr::kA:
    case dns::rr::kAAAA: {
      size_t want = out->type == dns::rr::kA ? 4 : 16;
      if (len != want) {
        Error(in, line, "\\# " + dns::TypeToString(out->type) + " rdata must be " + std::to_string(want) + " bytes");
        return false;
      }
      out->address = dns::Address{};
      out->address.family = out->type == dns::rr::kA ? 4 : 6;
      std::memcpy(out->address.bytes.data(), w, want);
      return true;
    }
    case dns::rr::kNS: {
      target_.clear();
      const char* err = dns::ParseWireName(w, len, &used, &target_);
      if (err == nullptr && used != len) err = "trailing bytes after the name";
      if (err) {
        Error(in, line, std::string("bad \\# NS rdata: ") + err);
        return false;
      }
      out->ns_target = target_;
      return true;
    }
    case dns::rr::kSOA: {
      std::string scratch;
      size_t used2 = 0;
      const char* err = dns::ParseWireName(w, len, &used, &scratch);
      if (!err) err = dns::ParseWireName(w + used, len - used, &used2, &scratch);
      if (!err && len - used - used2 != 20) err = "SOA needs five 32-bit fields after the names";
      if (err) {
        Error(in, line, std::string("bad \\# SOA rdata: ") + err);
        return false;
      }
      const uint8_t* s = w + used + used2;
      out->soa_serial = (uint32_t{s[0]} << 24) | (uint32_t{s[1]} << 16) | (uint32_t{s[2]} << 8) | s[3];
      return true;
    }
    default:
      return true;
  }
}

ZoneReader::ZoneReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZoneReader::~ZoneReader() = default;

Status ZoneReader::Open(const std::string& path, ReaderOptions options, std::unique_ptr<ZoneReader>* out) {
  std::unique_ptr<ByteSource> src;
  NSRADAR_RETURN_IF_ERROR(ByteSource::Open(path, &src));
  auto impl = std::make_unique<Impl>(std::move(options));
  impl->top_raw_size_ = src->raw_size();
  impl->Push(std::move(src), path);
  out->reset(new ZoneReader(std::move(impl)));
  return Status::OK();
}

std::unique_ptr<ZoneReader> ZoneReader::FromMemory(std::string_view data, ReaderOptions options, std::string name) {
  auto impl = std::make_unique<Impl>(std::move(options));
  impl->top_raw_size_ = data.size();
  impl->Push(ByteSource::FromMemory(data.data(), data.size()), std::move(name));
  return std::unique_ptr<ZoneReader>(new ZoneReader(std::move(impl)));
}

bool ZoneReader::Next(Record* out) { return impl_->Next(out); }
const Status& ZoneReader::status() const { return impl_->status_; }
const ReaderStats& ZoneReader::stats() const { return impl_->stats_; }
uint64_t ZoneReader::raw_offset() const { return impl_->top_raw_offset_; }
uint64_t ZoneReader::raw_size() const { return impl_->top_raw_size_; }

}  // namespace nsradar::zone

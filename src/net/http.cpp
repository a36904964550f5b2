#include "net/http.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "text.h"

namespace linger {
namespace {

// RFC 9110 5.6.2: the characters of header names and methods.
bool IsToken(std::string_view text) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

std::string_view TrimBlanks(std::string_view text) {
  size_t start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  return text.substr(start, text.find_last_not_of(" \t") - start + 1);
}

// Server bytes in log lines: printable and short.
std::string Short(std::string_view text) { return Printable(text, 60); }

}  // namespace

Result<HttpHeader> ParseHeaderOption(std::string_view text) {
  size_t colon = text.find(':');
  std::string_view name = text.substr(0, colon);
  if (colon == std::string_view::npos || !IsToken(name)) {
    return Error::Invalid(
        fmt::format("invalid header '{}': expected 'Name: value'", Printable(text)));
  }
  std::string_view value = TrimBlanks(text.substr(colon + 1));
  for (char byte : value) {
    // Compared as unsigned: char is signed on x86-64 but unsigned on arm64.
    auto c = static_cast<unsigned char>(byte);
    if ((c < ' ' && c != '\t') || c == 0x7f) {
      return Error::Invalid(
          fmt::format("invalid header '{}': control characters in the value", Printable(text)));
    }
  }
  return HttpHeader{std::string(name), std::string(value)};
}

bool IsValidMethod(std::string_view method) { return IsToken(method); }

std::string BuildRequest(std::string_view method, const Url& url,
                         std::span<const HttpHeader> extra) {
  std::array<HttpHeader, 3> defaults = {
      {{"Host", url.authority}, {"User-Agent", "linger/" LINGER_VERSION}, {"Connection", "close"}}};
  std::string extra_lines;
  for (const HttpHeader& header : extra) {
    auto same = std::find_if(defaults.begin(), defaults.end(), [&](const HttpHeader& d) {
      return EqualsIgnoreCase(d.name, header.name);
    });
    if (same != defaults.end()) {
      *same = header;
    } else {
      extra_lines += fmt::format("{}: {}\r\n", header.name, header.value);
    }
  }
  std::string request = fmt::format("{} {} HTTP/1.1\r\n", method, url.target);
  for (const HttpHeader& header : defaults) {
    request += fmt::format("{}: {}\r\n", header.name, header.value);
  }
  return request + extra_lines + "\r\n";
}

ResponseParser::State ResponseParser::state() const {
  switch (phase_) {
    case Phase::kStatusLine:
    case Phase::kHeaderLine:
      return State::kHead;
    case Phase::kDone:
      return State::kComplete;
    case Phase::kFailed:
      return State::kError;
    default:
      return State::kBody;
  }
}

bool ResponseParser::Fail(std::string message) {
  error_ = std::move(message);
  phase_ = Phase::kFailed;
  return false;
}

ResponseParser::State ResponseParser::Feed(std::string_view data) {
  if (!data.empty()) received_ = true;
  while (!data.empty() && phase_ != Phase::kDone && phase_ != Phase::kFailed) {
    if (phase_ == Phase::kFixedBody || phase_ == Phase::kChunkData) {
      size_t n = static_cast<size_t>(std::min<std::uint64_t>(length_, data.size()));
      TakeBody(data.substr(0, n));
      data.remove_prefix(n);
      length_ -= n;
      if (length_ == 0 && phase_ != Phase::kDone) {
        phase_ = phase_ == Phase::kFixedBody ? Phase::kDone : Phase::kChunkEnd;
      }
      continue;
    }
    if (phase_ == Phase::kCloseBody) {
      TakeBody(data);
      break;
    }
    // Every other phase reads lines. Lines end in CRLF; a bare LF is tolerated, as browsers do.
    size_t newline = data.find('\n');
    std::string_view part = data.substr(0, newline);
    bool head =
        phase_ == Phase::kStatusLine || phase_ == Phase::kHeaderLine || phase_ == Phase::kTrailer;
    size_t used = newline == std::string_view::npos ? part.size() : part.size() + 1;
    if (head) head_bytes_ += used;
    // A chunk-size line is a number and maybe an extension: a long one is an attack.
    if (head ? head_bytes_ > kMaxHeaderBytes : line_.size() + part.size() > 4096) {
      Fail(head ? "headers exceed 64 KiB" : "chunk size line too long");
      break;
    }
    line_.append(part);
    data.remove_prefix(used);
    if (newline == std::string_view::npos) break;
    if (line_.ends_with('\r')) line_.pop_back();
    std::string line = std::move(line_);
    line_.clear();
    if (!OnLine(line)) break;
  }
  return state();
}

ResponseParser::State ResponseParser::Finish() {
  switch (phase_) {
    case Phase::kCloseBody:
      phase_ = Phase::kDone;
      break;
    case Phase::kDone:
    case Phase::kFailed:
      break;
    case Phase::kStatusLine:
      if (!received_) {
        Fail("connection closed without a response");
        break;
      }
      [[fallthrough]];
    case Phase::kHeaderLine:
      Fail("connection closed before the end of the headers");
      break;
    default:
      Fail("connection closed before the end of the body");
      break;
  }
  return state();
}

bool ResponseParser::OnLine(std::string_view line) {
  switch (phase_) {
    case Phase::kStatusLine:
      return OnStatusLine(line);
    case Phase::kHeaderLine:
      return OnHeaderLine(line);
    case Phase::kChunkSize:
      return OnChunkSize(line);
    case Phase::kChunkEnd:
      if (!line.empty()) return Fail("malformed chunked body: no CRLF after a chunk");
      phase_ = Phase::kChunkSize;
      return true;
    default:  // kTrailer: trailer fields are not needed, the empty line ends them
      if (line.empty()) phase_ = Phase::kDone;
      return true;
  }
}

bool ResponseParser::OnStatusLine(std::string_view line) {
  // "HTTP/1.1 200 OK": version, three digits, then a space and a reason that may be empty.
  bool ok = line.size() >= 12 && line.starts_with("HTTP/1.") && IsDigit(line[7]) &&
            line[8] == ' ' && (line.size() == 12 || line[12] == ' ') &&
            AllDigits(line.substr(9, 3));
  int status = 0;
  for (size_t i = 9; ok && i < 12; ++i) status = status * 10 + (line[i] - '0');
  if (!ok || status < 100) {
    return Fail(fmt::format("not an HTTP/1.x response: '{}'", Short(line)));
  }
  status_ = status;
  reason_ = Short(TrimBlanks(line.substr(12)));
  has_length_ = has_transfer_encoding_ = chunked_ = false;
  phase_ = Phase::kHeaderLine;
  return true;
}

bool ResponseParser::OnHeaderLine(std::string_view line) {
  if (line.empty()) {
    if (status_ < 200) {
      phase_ = Phase::kStatusLine;  // 1xx: the real response follows
    } else if (head_request_ || status_ == 204 || status_ == 304) {
      phase_ = Phase::kDone;
    } else if (chunked_) {
      phase_ = Phase::kChunkSize;
    } else if (has_transfer_encoding_) {
      phase_ = Phase::kCloseBody;  // RFC 9112 6.3: not chunked, so it ends with the connection
    } else if (has_length_) {
      phase_ = length_ == 0 ? Phase::kDone : Phase::kFixedBody;
    } else {
      phase_ = Phase::kCloseBody;
    }
    return true;
  }
  // An obsolete folded continuation line belongs to a header that wait-http does not read.
  if (line.front() == ' ' || line.front() == '\t') return true;
  size_t colon = line.find(':');
  std::string_view name = line.substr(0, colon);
  if (colon == std::string_view::npos || !IsToken(name)) {
    return Fail(fmt::format("malformed header line '{}'", Short(line)));
  }
  std::string_view value = TrimBlanks(line.substr(colon + 1));
  if (EqualsIgnoreCase(name, "Content-Length")) {
    // Two different lengths would let the body end in two places (RFC 9112 6.3).
    std::optional<std::uint64_t> length = ParseUnsigned(value, 999'999'999'999'999'999);
    if (!length || (has_length_ && *length != length_)) {
      return Fail(fmt::format("invalid Content-Length '{}'", Short(value)));
    }
    has_length_ = true;
    length_ = *length;
  } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
    has_transfer_encoding_ = true;
    size_t comma = value.rfind(',');
    std::string_view last =
        TrimBlanks(comma == std::string_view::npos ? value : value.substr(comma + 1));
    chunked_ = EqualsIgnoreCase(last, "chunked");
  }
  return true;
}

bool ResponseParser::OnChunkSize(std::string_view line) {
  std::string_view digits = TrimBlanks(line.substr(0, line.find(';')));
  std::uint64_t size = 0;
  bool ok = !digits.empty() && digits.size() <= 15;
  for (char c : digits) {
    auto lower = static_cast<char>(c | 0x20);  // 'A'-'F' to 'a'-'f'
    int value = IsDigit(c) ? c - '0' : lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    ok = ok && value >= 0;
    size = size * 16 + static_cast<std::uint64_t>(value);
  }
  if (!ok) return Fail(fmt::format("malformed chunk size '{}'", Short(line)));
  length_ = size;
  phase_ = size == 0 ? Phase::kTrailer : Phase::kChunkData;
  return true;
}

void ResponseParser::TakeBody(std::string_view data) {
  body_.append(data.substr(0, kMaxBodyBytes - body_.size()));
  // The first MiB is all that is ever searched: reading on would only wait for nothing.
  if (body_.size() == kMaxBodyBytes) phase_ = Phase::kDone;
}

Verdict Judge(const ResponseParser& response, const IntList& statuses,
              std::string_view body_contains) {
  switch (response.state()) {
    case ResponseParser::State::kHead:
      return {Verdict::kUndecided, {}};
    case ResponseParser::State::kError:
      return {Verdict::kNotReady, response.error()};
    default:
      break;
  }
  std::string status = fmt::format("HTTP {}", response.status());
  if (!response.reason().empty()) status += " " + response.reason();
  if (!statuses.Contains(response.status())) return {Verdict::kNotReady, status};
  if (body_contains.empty() || response.body().find(body_contains) != std::string::npos) {
    return {Verdict::kReady, status};
  }
  if (response.state() == ResponseParser::State::kComplete) {
    return {Verdict::kNotReady,
            fmt::format("{}, but the body does not contain '{}'", status, body_contains)};
  }
  return {Verdict::kUndecided, {}};
}

}  // namespace linger

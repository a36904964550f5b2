// HTTP/1.1 as wait-http speaks it: the request it sends, an incremental parser for the response,
// and the rule that decides whether the endpoint is ready. Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "int_list.h"
#include "net/url.h"
#include "result.h"

namespace linger {

// One request header.
struct HttpHeader {
  std::string name;
  std::string value;
};

// Reads a --header value, "Name: value": the name must be a token, the value one line.
Result<HttpHeader> ParseHeaderOption(std::string_view text);

// True when `method` is an HTTP token (GET, HEAD, OPTIONS, ...).
bool IsValidMethod(std::string_view method);

// "METHOD TARGET HTTP/1.1" with Host, User-Agent: linger/VERSION and Connection: close, then
// `extra` in order; an extra header named like one of those three (any case) replaces it.
std::string BuildRequest(std::string_view method, const Url& url,
                         std::span<const HttpHeader> extra);

// Reads one HTTP/1.x response fed in pieces of any size. 1xx interim responses are skipped.
class ResponseParser {
 public:
  static constexpr size_t kMaxHeaderBytes = 64 * 1024;  // status lines and headers, 1xx included
  static constexpr size_t kMaxBodyBytes = 1024 * 1024;  // body kept for --body-contains

  enum class State {
    kHead,      // status line and headers still coming
    kBody,      // final status and headers read; body still coming
    kComplete,  // body read to its end, or its first kMaxBodyBytes
    kError,     // malformed, over a cap, or cut short: error() says how
  };

  // A response to HEAD has headers only, whatever Content-Length says.
  explicit ResponseParser(bool head_request) : head_request_(head_request) {}

  // Consumes `data` and returns the state after it; bytes after the response are ignored.
  State Feed(std::string_view data);
  // The server closed the connection: ends a close-delimited body, else fails an unfinished one.
  State Finish();

  State state() const;
  int status() const { return status_; }                 // from kBody on
  const std::string& reason() const { return reason_; }  // printable, shortened
  const std::string& body() const { return body_; }      // decoded, at most kMaxBodyBytes
  const std::string& error() const { return error_; }    // in kError

 private:
  enum class Phase {
    kStatusLine,
    kHeaderLine,
    kFixedBody,  // Content-Length
    kChunkSize,
    kChunkData,
    kChunkEnd,  // the CRLF after a chunk's data
    kTrailer,
    kCloseBody,  // delimited by the end of the connection
    kDone,
    kFailed,
  };

  // Each handles one complete line (its end removed); false once the response is malformed.
  bool OnLine(std::string_view line);
  bool OnStatusLine(std::string_view line);
  bool OnHeaderLine(std::string_view line);
  bool OnChunkSize(std::string_view line);
  // Keeps body bytes up to kMaxBodyBytes.
  void TakeBody(std::string_view data);
  // Enters kError with `message`; returns false for the caller to pass on.
  bool Fail(std::string message);

  bool head_request_;
  Phase phase_ = Phase::kStatusLine;
  std::string line_;       // the line being read, without its end
  size_t head_bytes_ = 0;  // counted against kMaxHeaderBytes
  bool received_ = false;  // any byte at all
  int status_ = 0;
  std::string reason_;
  bool has_length_ = false;
  std::uint64_t length_ = 0;  // Content-Length, then what is left of it or of the chunk
  bool has_transfer_encoding_ = false;
  bool chunked_ = false;
  std::string body_;
  std::string error_;
};

// What one attempt has shown so far.
struct Verdict {
  enum Kind { kUndecided, kReady, kNotReady } kind;
  std::string detail;  // "HTTP 200 OK", or why not ready
};

// Ready when the status is in `statuses` and, when `body_contains` is not empty, the body's first
// MiB holds it. Undecided while more bytes could change the answer.
Verdict Judge(const ResponseParser& response, const IntList& statuses,
              std::string_view body_contains);

}  // namespace linger

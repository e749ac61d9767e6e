// HTTP/1.1 request parsing apart from the socket. The server reads bytes and
// hands over what it has; this class makes every decision about them (where
// the head ends, the body's framing and limit, which malformed input gets
// which answer) and produces the HttpRequest the core handles, so those
// decisions can be unit-tested and fuzzed without Asio (gateway/fuzz/).
// Boost.Beast's parser does the parsing, as it did inside the server; its
// headers stay in the .cc.
#ifndef BKK_GATEWAY_CORE_HTTP_REQUEST_PARSER_H_
#define BKK_GATEWAY_CORE_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/core/http_types.h"

namespace bkk::gateway {

// One request at a time: the head, then (once the caller has chosen the body
// limit from the target and, if asked, sent "100 Continue") the body. Parse
// consumes a prefix of the bytes it is given; a pipelined next request stays
// unconsumed for the next one (Reset). Errors are refusals the server answers
// and closes on (see HttpErrorForParseStatus):
//   INVALID_ARGUMENT    malformed request            400 INVALID_ARGUMENT
//   OUT_OF_RANGE        body over its limit          413 PAYLOAD_TOO_LARGE
//   RESOURCE_EXHAUSTED  head over max_header_bytes   431 HEADERS_TOO_LARGE
class HttpRequestParser final {
 public:
  enum class Progress {
    kNeedMore,  // read more, then Parse again with every byte not consumed
    kHead,      // the head is complete: target(), then BeginBody
    kDone,      // the request is complete: TakeRequest
  };

  explicit HttpRequestParser(uint32_t max_header_bytes);
  ~HttpRequestParser();
  HttpRequestParser(const HttpRequestParser&) = delete;
  HttpRequestParser& operator=(const HttpRequestParser&) = delete;

  // Starts the next request (keeps the allocation for a keep-alive connection).
  void Reset();

  // Parses from `data`, the bytes read and not consumed yet; `*used` gets how
  // many were consumed (the caller drops them from its buffer, also on error).
  absl::StatusOr<Progress> Parse(absl::string_view data, size_t* used);

  // After kHead. The request's body limit; OUT_OF_RANGE when a declared
  // Content-Length exceeds it (before any of the body is read).
  absl::Status BeginBody(uint64_t body_limit);

  // The head, valid from kHead until TakeRequest.
  absl::string_view target() const;
  unsigned version() const;  // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::optional<uint64_t> content_length() const;
  bool expects_continue() const;  // "Expect: 100-continue"

  // After kDone: the request (peer_address left empty), once.
  HttpRequest TakeRequest();
  // Valid after kDone, also after TakeRequest.
  bool keep_alive() const { return keep_alive_; }
  bool is_head() const { return head_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool keep_alive_ = false;
  bool head_ = false;
};

// The status line of the answer to a Parse or BeginBody error.
struct HttpParseError {
  int http_status;         // 400, 413 or 431
  absl::string_view code;  // INVALID_ARGUMENT, PAYLOAD_TOO_LARGE, HEADERS_TOO_LARGE
};
HttpParseError HttpErrorForParseStatus(const absl::Status& status);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_HTTP_REQUEST_PARSER_H_

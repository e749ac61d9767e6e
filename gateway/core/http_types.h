// The HTTP shapes the gateway core works on, and the writer interface the
// HTTP server implements. Keeping sockets behind ResponseWriter lets the core
// (routing, transcoding, caching, limits) be tested without a network.
#ifndef BKK_GATEWAY_CORE_HTTP_TYPES_H_
#define BKK_GATEWAY_CORE_HTTP_TYPES_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bkk::gateway {

struct HttpHeader {
  std::string name;
  std::string value;
};

// A fully read HTTP/1.1 request.
struct HttpRequest {
  std::string method;  // as sent: "GET", "POST", "BREW"…
  std::string target;  // origin-form: "/v1/budget/lines?filter.fiscal_year=2566"
  std::vector<HttpHeader> headers;
  std::string body;
  // The socket's peer address (an IP literal), before any X-Forwarded-For.
  std::string peer_address;

  // The first value of a header (case-insensitive name); empty when absent.
  absl::string_view Header(absl::string_view name) const;
  bool HasHeader(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<HttpHeader> headers;
  std::string body;
  // When set, the body instead of `body`: cached answers are sent without
  // copying them.
  std::shared_ptr<const std::string> shared_body;

  // Replaces any header of the same (case-insensitive) name.
  void SetHeader(absl::string_view name, std::string value);
  absl::string_view Header(absl::string_view name) const;
};

// How a streamed response keeps idle connections alive (SSE comments).
struct StreamOptions {
  std::chrono::milliseconds heartbeat_interval{0};  // 0: none
  std::string heartbeat_chunk;
  // Endless streams (SSE) watch the socket so a viewer who leaves cancels
  // the backend stream at once; finite downloads rely on write errors, so a
  // client that half-closes after its request still gets everything.
  bool watch_for_close = false;
};

// Where the core sends one request's answer. Implemented by the HTTP server;
// every method may be called from any thread (gRPC completions) and the
// server hops onto the connection's own executor, keeping the order of a
// stream's operations. Exactly one of Send, EndStream or AbortStream ends a
// request.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;

  // A complete response.
  virtual void Send(HttpResponse response) = 0;

  // Streamed response: the head now (chunked transfer encoding), then chunks.
  virtual void StartStream(HttpResponse head, StreamOptions options) = 0;
  // `done(true)` once the chunk is written, `done(false)` when the client is
  // gone; the next chunk is written only after `done`, which is how a slow
  // reader slows the backend stream down instead of filling memory.
  virtual void WriteChunk(std::string data, std::function<void(bool ok)> done) = 0;
  // A live view's newest event (an SSE event fanned out to many clients):
  // written as a chunk when the connection is free; while a write is in
  // flight a newer offer replaces an older one still waiting, so a slow
  // reader gets the newest state and never a growing queue. The event is
  // shared, not copied, and has no completion callback.
  virtual void Offer(std::shared_ptr<const std::string> event) = 0;
  // Ends a stream cleanly (last chunk).
  virtual void EndStream() = 0;
  // Ends a stream by closing the connection without the last chunk, so the
  // client sees a truncated download rather than a complete-looking one.
  virtual void AbortStream() = 0;

  // `cancel` runs (once, on some thread) when the client goes away
  // (client_gone) or the gateway drains (!client_gone), so the backend call
  // can be cancelled. If the client is already gone it runs right away.
  virtual void OnCancel(std::function<void(bool client_gone)> cancel) = 0;
};

// Case-insensitive ASCII comparison of header names.
bool HeaderNameEquals(absl::string_view a, absl::string_view b);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_HTTP_TYPES_H_

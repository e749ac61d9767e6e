// Server-sent events as a fan-out: every SSE client of the same stream
// (route and request, e.g. one district's live tallies) shares one upstream
// gRPC stream, opened for the first client and closed `linger` after the
// last one leaves. Each message is framed once (`id:` from the message's
// watermark, `data:` its JSON) and offered to every client; the HTTP server
// writes a client only the newest event it has not taken yet
// (ResponseWriter::Offer), so memory per client stays flat however far
// behind its socket is.
//
// The upstream survives its backend: when the stream fails with an outage
// (the voting service restarts, a deadline passes) it is reopened with
// backoff while the clients keep their connections; when it ends OK (the
// round closed) or with a request error (no such round), the clients end
// too, with an HTTP error if they had not started yet.
//
// Thread-safe; callbacks arrive on gRPC and io threads, and one timer
// thread handles restarts and lingering closes. SseClient calls are made
// under the fan-out's lock: they must only queue work, never block or call
// back.
#ifndef BKK_GATEWAY_CORE_SSE_FANOUT_H_
#define BKK_GATEWAY_CORE_SSE_FANOUT_H_

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gateway/core/backend.h"
#include "gateway/core/route_table.h"

namespace bkk::gateway {

// One HTTP client of a shared stream, as the fan-out drives it (the gateway
// implements it over the request's answer path).
class SseClient {
 public:
  virtual ~SseClient() = default;
  // The response head, then `preamble` (the SSE retry: hint).
  virtual void Start(std::string preamble) = 0;
  // The newest event (replacing one the client has not taken yet).
  virtual void Offer(std::shared_ptr<const std::string> event) = 0;
  // Ends the stream cleanly.
  virtual void End() = 0;
  // Before Start: an HTTP error answer. After: an `event: error`, then the end.
  virtual void Fail(const grpc::Status& status) = 0;
};

struct SseFanoutOptions {
  // Clients per gateway (BKK_MAX_SSE_CLIENTS); beyond it Join refuses.
  int max_clients = 20'000;
  // An upstream with no clients is closed after this (a reload rejoins it).
  std::chrono::milliseconds linger{5'000};
  // The SSE retry: hint browsers wait before reconnecting.
  std::chrono::milliseconds retry_hint{3'000};
  // Backoff between upstream restarts after an outage.
  std::chrono::milliseconds restart_min{200};
  std::chrono::milliseconds restart_max{5'000};
  // Deadline of one upstream call; it is then reopened seamlessly.
  std::chrono::milliseconds upstream_deadline{3'600'000};
};

class SseFanout final {
 public:
  struct Stats {
    int clients = 0;
    int upstreams = 0;
    uint64_t upstream_starts = 0;
    uint64_t upstream_restarts = 0;  // after an outage
    uint64_t refused = 0;            // over max_clients
    uint64_t events = 0;             // events framed (once each, for all clients)
  };

  SseFanout(Backend* backend, SseFanoutOptions options);
  ~SseFanout();
  SseFanout(const SseFanout&) = delete;
  SseFanout& operator=(const SseFanout&) = delete;

  // Adds `client` to the shared upstream of (route, request), starting it
  // if needed. The client starts when the upstream's first message is known
  // (at once when there already is one). Returns an id for Leave, or
  // nullopt when max_clients are connected (the caller answers 503).
  std::optional<uint64_t> Join(const Route& route, const google::protobuf::Message& request,
                               std::shared_ptr<SseClient> client);
  // The client left (`client_gone`), or the gateway drains (the client's
  // stream is ended). Safe twice, and for a client already ended.
  void Leave(uint64_t id, bool client_gone);

  Stats stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_SSE_FANOUT_H_

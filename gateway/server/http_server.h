// The gateway's HTTP/1.1 server on Boost.Beast/Asio: a small fixed pool of io
// threads, each running its own event loop (io_context), owns every socket;
// a connection lives on one of them, reads one request at a time
// (keep-alive, pipelining in order), and hands it to the Gateway core, whose
// answer comes back (from a gRPC completion thread) by a post onto that
// loop. No thread ever waits for a backend. A live view (SSE) moves to a
// live-view thread of lower CPU priority once its request is read, so
// spectators never make a voter wait for the CPU.
//
// Sizes and times are enforced here: header and body limits (431/413 before
// the body is read), an idle timeout between requests, a read timeout per
// request (slowloris), a write timeout per write (half-open or stalled
// readers), and the connection cap (503 and close).
#ifndef BKK_GATEWAY_SERVER_HTTP_SERVER_H_
#define BKK_GATEWAY_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gateway/core/gateway.h"

namespace bkk::gateway {

namespace internal {
struct ServerCore;
}  // namespace internal

struct HttpServerOptions {
  // host:port; port 0 picks a free one (see port()).
  std::string listen_address = "127.0.0.1:8080";
  int io_threads = 2;
  // Threads that only write live views (SSE), at this nice value (Linux:
  // 0-19, higher yields more): spectators take the CPU voters leave. 0
  // threads keeps live views on the request threads.
  int live_view_threads = 1;
  int live_view_nice = 10;
};

class HttpServer final {
 public:
  HttpServer(Gateway* gateway, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the io threads.
  absl::Status Start();
  int port() const { return port_; }
  int open_connections() const;

  // Graceful stop: no new connections, /readyz answers 503, idle keep-alive
  // connections close, in-flight requests finish (streams are cancelled and
  // ended), then whatever is left after `drain` is closed. Safe to call twice.
  void Shutdown(std::chrono::milliseconds drain);

 private:
  std::shared_ptr<internal::ServerCore> core_;
  HttpServerOptions options_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_SERVER_HTTP_SERVER_H_

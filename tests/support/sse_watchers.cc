// Many SSE clients on one epoll loop; see sse_watchers.h.
#include "tests/support/sse_watchers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>

#include "absl/strings/string_view.h"

namespace bkk::testing {

int64_t WatermarkOf(const std::string& data) {
  static const std::string kKey = "\"watermark\":";
  size_t at = data.find(kKey);
  if (at == std::string::npos) return -1;
  at += kKey.size();
  if (at < data.size() && data[at] == '"') ++at;
  int64_t v = 0;
  bool any = false;
  while (at < data.size() && data[at] >= '0' && data[at] <= '9') {
    v = v * 10 + (data[at++] - '0');
    any = true;
  }
  return any ? v : -1;
}

int64_t SseWatchers::NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct SseWatchers::Connection {
  enum class Phase { kIdle, kConnecting, kHead, kBody };
  enum class Chunk { kSize, kData, kDataEnd };
  int index = 0;
  int fd = -1;
  Phase phase = Phase::kIdle;
  bool counted_connecting = false;
  std::string head;
  bool chunked = false;
  Chunk chunk = Chunk::kSize;
  std::string size_line;
  size_t chunk_left = 0;
  std::string line;
  std::string data;
  bool has_data = false;
  std::string event_id;
  std::string last_event_id;  // survives reconnects, like EventSource's

  // A fresh connection's state.
  void Reset() {
    fd = -1;
    phase = Phase::kIdle;
    counted_connecting = false;
    head.clear();
    chunked = false;
    chunk = Chunk::kSize;
    size_line.clear();
    chunk_left = 0;
    line.clear();
    data.clear();
    has_data = false;
    event_id.clear();
  }
};

SseWatchers::SseWatchers(Options options) : options_(std::move(options)), watchers_(options_.count) {
  for (int i = 0; i < options_.count; ++i) {
    connections_.push_back(std::make_unique<Connection>());
    connections_.back()->index = i;
  }
}

SseWatchers::~SseWatchers() { Stop(); }

void SseWatchers::Start() {
  running_ = true;
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  thread_ = std::thread([this] {
    if (options_.nice > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), options_.nice);
    Run();
  });
}

void SseWatchers::Stop() {
  if (!running_) return;
  running_ = false;
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
  thread_.join();
  for (auto& c : connections_) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
  }
  close(wake_fd_);
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& w : watchers_) w.streaming = false;
}

int SseWatchers::Streaming() const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const auto& w : watchers_) n += w.streaming;
  return n;
}

int SseWatchers::AtLeast(int64_t mark) const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const auto& w : watchers_) n += !w.events.empty() && w.events.back().mark >= mark;
  return n;
}

std::vector<SseWatchers::Watcher> SseWatchers::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watchers_;
}

void SseWatchers::ClearEvents() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& w : watchers_) {
    if (!w.events.empty()) w.events.erase(w.events.begin(), w.events.end() - 1);  // keep the current state
  }
}

void SseWatchers::Run() {
  const std::atomic<bool>& running = running_;
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.ptr = nullptr;
  epoll_ctl(ep, EPOLL_CTL_ADD, wake_fd_, &wake);
  std::deque<int> to_connect;
  for (int i = 0; i < options_.count; ++i) to_connect.push_back(i);
  std::vector<std::pair<int64_t, int>> retry;  // (due ns, index)
  int connecting = 0;
  std::vector<char> buffer(1 << 16);

  auto close_conn = [&](Connection& c, bool failed) {
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    if (c.counted_connecting) {
      c.counted_connecting = false;
      --connecting;
    }
    c.phase = Connection::Phase::kIdle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Watcher& w = watchers_[c.index];
      w.streaming = false;
      if (failed) ++w.failures;
    }
    if (options_.reconnect && running.load())
      retry.push_back({NowNs() + options_.reconnect_delay.count() * 1'000'000, c.index});
  };

  auto dispatch = [&](Connection& c) {
    if (!c.event_id.empty()) c.last_event_id = c.event_id;
    if (!c.has_data) return;
    int64_t mark = WatermarkOf(c.data);
    if (mark < 0 && !c.event_id.empty()) mark = std::strtoll(c.event_id.c_str(), nullptr, 10);
    {
      std::lock_guard<std::mutex> lock(mu_);
      Watcher& w = watchers_[c.index];
      w.events.push_back({mark, NowNs()});
      w.last_data = c.data;
    }
    c.data.clear();
    c.has_data = false;
  };

  auto sse_line = [&](Connection& c, absl::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return dispatch(c);
    if (line[0] == ':') return;
    size_t colon = line.find(':');
    absl::string_view field = line.substr(0, colon);
    absl::string_view value = colon == absl::string_view::npos ? absl::string_view() : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    if (field == "data") {
      if (c.has_data) c.data += '\n';
      c.data.append(value.data(), value.size());
      c.has_data = true;
    } else if (field == "id") {
      c.event_id = std::string(value);
    }
  };

  auto sse_bytes = [&](Connection& c, const char* p, size_t n) {
    while (n > 0) {
      const char* nl = static_cast<const char*>(memchr(p, '\n', n));
      if (nl == nullptr) {
        c.line.append(p, n);
        return;
      }
      size_t len = nl - p;
      if (c.line.empty()) {
        sse_line(c, absl::string_view(p, len));
      } else {
        c.line.append(p, len);
        sse_line(c, c.line);
        c.line.clear();
      }
      p = nl + 1;
      n -= len + 1;
    }
  };

  // Returns false when the stream ended.
  auto body_bytes = [&](Connection& c, const char* p, size_t n) -> bool {
    if (!c.chunked) {
      sse_bytes(c, p, n);
      return true;
    }
    while (n > 0) {
      switch (c.chunk) {
        case Connection::Chunk::kSize: {
          const char* nl = static_cast<const char*>(memchr(p, '\n', n));
          if (nl == nullptr) {
            c.size_line.append(p, n);
            return true;
          }
          c.size_line.append(p, nl - p);
          n -= nl - p + 1;
          p = nl + 1;
          c.chunk_left = std::strtoul(c.size_line.c_str(), nullptr, 16);
          c.size_line.clear();
          if (c.chunk_left == 0) return false;  // the last chunk
          c.chunk = Connection::Chunk::kData;
          break;
        }
        case Connection::Chunk::kData: {
          size_t take = std::min(n, c.chunk_left);
          sse_bytes(c, p, take);
          p += take;
          n -= take;
          c.chunk_left -= take;
          if (c.chunk_left == 0) c.chunk = Connection::Chunk::kDataEnd;
          break;
        }
        case Connection::Chunk::kDataEnd: {
          const char* nl = static_cast<const char*>(memchr(p, '\n', n));
          if (nl == nullptr) return true;
          n -= nl - p + 1;
          p = nl + 1;
          c.chunk = Connection::Chunk::kSize;
          break;
        }
      }
    }
    return true;
  };

  auto start_connect = [&](Connection& c) {
    c.Reset();
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return close_conn(c, true);
    int one = 1;
    setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (options_.source_addresses > 0) {
      sockaddr_in src{};
      src.sin_family = AF_INET;
      src.sin_addr.s_addr = htonl((127u << 24) | (2u + static_cast<unsigned>(options_.source_offset) +
                                                  static_cast<unsigned>(c.index % options_.source_addresses)));
      if (bind(c.fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) return close_conn(c, true);
    }
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<uint16_t>(options_.port));
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(c.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
    if (rc != 0 && errno != EINPROGRESS) return close_conn(c, true);
    c.phase = Connection::Phase::kConnecting;
    c.counted_connecting = true;
    ++connecting;
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = &c;
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  };

  auto on_head = [&](Connection& c) -> bool {
    size_t end = c.head.find("\r\n\r\n");
    if (end == std::string::npos) return true;
    int status = 0;
    if (c.head.size() > 12) status = std::atoi(c.head.c_str() + 9);
    std::string lower = c.head.substr(0, end);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    c.chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
    std::string rest = c.head.substr(end + 4);
    c.head.clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      Watcher& w = watchers_[c.index];
      w.http_status = status;
      if (status == 200) {
        ++w.connects;
        w.streaming = true;
      }
    }
    if (c.counted_connecting) {
      c.counted_connecting = false;
      --connecting;
    }
    if (status != 200) return false;
    c.phase = Connection::Phase::kBody;
    return body_bytes(c, rest.data(), rest.size());
  };

  std::vector<epoll_event> events(1024);
  while (running.load()) {
    const int64_t now = NowNs();
    for (size_t i = 0; i < retry.size();) {
      if (retry[i].first <= now) {
        to_connect.push_back(retry[i].second);
        retry[i] = retry.back();
        retry.pop_back();
      } else {
        ++i;
      }
    }
    while (!to_connect.empty() && connecting < options_.max_connecting) {
      Connection& c = *connections_[to_connect.front()];
      to_connect.pop_front();
      start_connect(c);
    }
    int timeout = 50;
    if (!to_connect.empty() && connecting < options_.max_connecting) timeout = 0;
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) continue;  // the wake-up
      Connection& c = *static_cast<Connection*>(events[i].data.ptr);
      if (c.fd < 0) continue;
      if (c.phase == Connection::Phase::kConnecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (events[i].events & (EPOLLERR | EPOLLHUP))) {
          close_conn(c, true);
          continue;
        }
        if (!(events[i].events & EPOLLOUT)) continue;
        std::string request =
            "GET " + options_.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
        if (!c.last_event_id.empty()) request += "Last-Event-ID: " + c.last_event_id + "\r\n";
        request += "\r\n";
        if (write(c.fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
          close_conn(c, true);
          continue;
        }
        c.phase = Connection::Phase::kHead;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.ptr = &c;
        epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        continue;
      }
      bool open = true;
      for (;;) {
        ssize_t got = read(c.fd, buffer.data(), buffer.size());
        if (got > 0) {
          if (c.phase == Connection::Phase::kHead) {
            c.head.append(buffer.data(), got);
            open = on_head(c);
          } else {
            open = body_bytes(c, buffer.data(), got);
          }
          if (!open) break;
          continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        open = false;  // closed by the server, or an error
        break;
      }
      if (!open) {
        bool failed;
        {
          std::lock_guard<std::mutex> lock(mu_);
          failed = watchers_[c.index].http_status != 200;
        }
        close_conn(c, failed);
      }
    }
  }
  close(ep);
}

}  // namespace bkk::testing

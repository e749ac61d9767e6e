// One upstream per stream, fanned out to every SSE client; see sse_fanout.h.
//
// Locking: one mutex guards every upstream and client. SseClient calls only
// queue work on the client's connection (they never block and never call
// back), so they are made under the lock, which keeps each client's
// Start/Offer/End in order. Backend calls may run handlers inline, so they
// are made after the lock is released.
#include "gateway/core/sse_fanout.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "gateway/core/stream_formats.h"
#include "gateway/core/transcoder.h"

namespace bkk::gateway {

using google::protobuf::Message;
using Clock = std::chrono::steady_clock;
using Event = std::shared_ptr<const std::string>;

namespace {

// An outage: reopen the upstream and keep the clients. Anything else is
// the request's fault (or the stream's clean end) and ends the clients.
bool IsOutage(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:  // only the fan-out cancels, and it drops the upstream first
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
      return true;
    default:
      return false;
  }
}

std::string KeyOf(const Route& route, const Message& request) {
  std::string out = route.grpc_path + '\x1f';
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  request.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// The message's int64 `watermark` field as the SSE event id, when it has one.
std::string EventIdOf(const Message& message) {
  const auto* field = message.GetDescriptor()->FindFieldByName("watermark");
  if (field == nullptr || field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT64 ||
      field->is_repeated()) {
    return "";
  }
  return absl::StrCat(message.GetReflection()->GetInt64(message, field));
}

}  // namespace

struct SseFanout::State : std::enable_shared_from_this<SseFanout::State> {
  struct Upstream;
  struct Member {
    uint64_t id = 0;
    std::shared_ptr<SseClient> client;
    std::shared_ptr<Upstream> upstream;
    bool started = false;
  };
  struct Upstream {
    std::string key;
    const Route* route = nullptr;
    std::unique_ptr<Message> request;
    std::shared_ptr<BackendStream> stream;
    uint64_t generation = 0;  // callbacks of an older call are ignored
    Event latest;
    std::map<uint64_t, std::shared_ptr<Member>> members;
    int failures = 0;
    std::optional<Clock::time_point> restart_at;
    std::optional<Clock::time_point> close_at;  // set while it has no clients
  };
  // Backend calls to make once the lock is released.
  using After = std::vector<std::function<void()>>;

  State(Backend* b, SseFanoutOptions o)
      : backend(b), options(o), preamble(absl::StrCat("retry: ", o.retry_hint.count(), "\n\n")) {}

  // --- under mu ---
  void StartUpstream(Upstream& u, After& after) {
    u.generation = next_generation++;
    ++stats.upstream_starts;
    std::unique_ptr<Message> request(u.request->New());
    request->CopyFrom(*u.request);
    CallOptions call;
    call.deadline = std::chrono::system_clock::now() + options.upstream_deadline;
    std::weak_ptr<State> weak = shared_from_this();
    BackendStream::Handlers handlers;
    handlers.on_message = [weak, key = u.key, gen = u.generation](std::unique_ptr<Message> m) {
      if (auto self = weak.lock()) self->OnMessage(key, gen, std::move(m));
    };
    handlers.on_done = [weak, key = u.key, gen = u.generation](const grpc::Status& status) {
      if (auto self = weak.lock()) self->OnDone(key, gen, status);
    };
    u.stream = backend->PrepareServerStream(u.route->method, call, std::move(request), std::move(handlers));
    after.push_back([stream = u.stream] { stream->Start(); });
  }

  void StartMember(Member& m) {
    if (m.started) return;
    m.started = true;
    m.client->Start(preamble);
  }

  void Offer(const std::shared_ptr<Member>& m, const Event& event) {
    StartMember(*m);
    m->client->Offer(event);
  }

  // Ends a client: cleanly after its newest event (the connection keeps
  // the order), or with the error.
  void EndMember(const std::shared_ptr<Member>& m, const grpc::Status& status) {
    if (status.ok()) {
      StartMember(*m);
      m->client->End();
    } else {
      m->client->Fail(status);
    }
    RemoveMember(m->id);
  }

  void RemoveMember(uint64_t id) {
    auto it = members.find(id);
    if (it == members.end()) return;
    std::shared_ptr<Upstream> u = it->second->upstream;
    members.erase(it);
    --stats.clients;
    u->members.erase(id);
    auto current = upstreams.find(u->key);
    if (u->members.empty() && current != upstreams.end() && current->second == u) {
      u->close_at = Clock::now() + options.linger;
      cv.notify_one();
    }
  }

  // --- callbacks ---
  void OnMessage(const std::string& key, uint64_t gen, std::unique_ptr<Message> message) {
    auto json = MessageToJson(*message);
    const std::string id = EventIdOf(*message);
    auto event = std::make_shared<const std::string>(
        absl::StrCat(id.empty() ? "" : absl::StrCat("id: ", id, "\n"), SseEvent(json.ok() ? *json : "{}")));
    std::shared_ptr<BackendStream> stream;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = upstreams.find(key);
      if (it == upstreams.end() || it->second->generation != gen) return;
      Upstream& u = *it->second;
      u.latest = event;
      u.failures = 0;
      ++stats.events;
      for (auto& [id, m] : u.members) Offer(m, event);
      stream = u.stream;
    }
    // Read the next message at once: slow clients skip, they do not hold
    // the upstream back.
    if (stream) stream->RequestNext();
  }

  void OnDone(const std::string& key, uint64_t gen, const grpc::Status& status) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = upstreams.find(key);
    if (it == upstreams.end() || it->second->generation != gen) return;
    std::shared_ptr<Upstream> u = it->second;
    u->stream.reset();
    if (u->members.empty()) {
      upstreams.erase(it);
      return;
    }
    if (!status.ok() && IsOutage(status.error_code()) && !stopping) {
      // Keep the clients (holding their streams open) and reopen with backoff.
      ++stats.upstream_restarts;
      const int64_t base =
          std::min<int64_t>(options.restart_max.count(), options.restart_min.count() << std::min(u->failures, 10));
      ++u->failures;
      std::uniform_int_distribution<int64_t> jitter(base / 2, base);
      u->restart_at = Clock::now() + std::chrono::milliseconds(jitter(rng));
      for (auto& [id, m] : u->members) StartMember(*m);
      if (u->failures == 1) {
        LogWarning("sse_upstream_lost", {{"rpc", u->route->name}, {"error", status.error_message()}});
      }
      cv.notify_one();
      return;
    }
    // The stream is over (round closed) or cannot be watched: end the clients.
    upstreams.erase(it);
    std::vector<std::shared_ptr<Member>> ending;
    for (auto& [id, m] : u->members) ending.push_back(m);
    for (auto& m : ending) EndMember(m, status);
  }

  // Restarts after outages and closes of upstreams nobody watches.
  void RunTimers() {
    std::unique_lock<std::mutex> lock(mu);
    while (!stopping) {
      After after;
      auto now = Clock::now();
      auto wake = Clock::time_point::max();
      for (auto it = upstreams.begin(); it != upstreams.end();) {
        Upstream& u = *it->second;
        if (u.members.empty() && u.close_at && *u.close_at <= now) {
          if (u.stream) after.push_back([s = u.stream] { s->Cancel(); });
          it = upstreams.erase(it);
          continue;
        }
        if (u.restart_at && *u.restart_at <= now) {
          u.restart_at.reset();
          StartUpstream(u, after);
        }
        if (!u.members.empty()) u.close_at.reset();
        if (u.close_at) wake = std::min(wake, *u.close_at);
        if (u.restart_at) wake = std::min(wake, *u.restart_at);
        ++it;
      }
      if (!after.empty()) {
        lock.unlock();
        for (auto& f : after) f();
        lock.lock();
        continue;
      }
      if (wake == Clock::time_point::max()) {
        cv.wait(lock);
      } else {
        cv.wait_until(lock, wake);
      }
    }
  }

  Backend* const backend;
  const SseFanoutOptions options;
  const std::string preamble;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<std::string, std::shared_ptr<Upstream>> upstreams;
  std::unordered_map<uint64_t, std::shared_ptr<Member>> members;
  uint64_t next_id = 1;
  uint64_t next_generation = 1;
  bool stopping = false;
  Stats stats;
  std::mt19937_64 rng{std::random_device{}()};
  std::thread timers;
};

SseFanout::SseFanout(Backend* backend, SseFanoutOptions options) : state_(std::make_shared<State>(backend, options)) {
  state_->timers = std::thread([s = state_.get()] { s->RunTimers(); });
}

SseFanout::~SseFanout() {
  std::vector<std::shared_ptr<BackendStream>> streams;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
    for (auto& [key, u] : state_->upstreams) {
      if (u->stream) streams.push_back(u->stream);
    }
    state_->upstreams.clear();
    state_->cv.notify_all();
  }
  state_->timers.join();
  for (auto& s : streams) s->Cancel();
}

std::optional<uint64_t> SseFanout::Join(const Route& route, const Message& request, std::shared_ptr<SseClient> client) {
  State& s = *state_;
  State::After after;
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.stopping || s.stats.clients >= s.options.max_clients) {
      ++s.stats.refused;
      return std::nullopt;
    }
    std::string key = KeyOf(route, request);
    auto& u = s.upstreams[key];
    if (!u) {
      u = std::make_shared<State::Upstream>();
      u->key = key;
      u->route = &route;
      u->request.reset(request.New());
      u->request->CopyFrom(request);
      s.StartUpstream(*u, after);
    }
    u->close_at.reset();
    auto m = std::make_shared<State::Member>();
    id = m->id = s.next_id++;
    m->client = std::move(client);
    m->upstream = u;
    u->members.emplace(id, m);
    s.members.emplace(id, m);
    ++s.stats.clients;
    if (u->latest) {
      s.Offer(m, u->latest);  // a reconnecting browser gets the current snapshot at once
    } else if (u->restart_at) {
      s.StartMember(*m);  // the upstream is recovering: hold the stream open
    }
  }
  for (auto& f : after) f();
  return id;
}

void SseFanout::Leave(uint64_t id, bool client_gone) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.members.find(id);
  if (it == s.members.end()) return;
  if (client_gone) {
    s.RemoveMember(id);
  } else {
    s.EndMember(it->second, grpc::Status::OK);  // draining: end the stream cleanly
  }
}

SseFanout::Stats SseFanout::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  Stats out = state_->stats;
  out.upstreams = static_cast<int>(state_->upstreams.size());
  return out;
}

}  // namespace bkk::gateway

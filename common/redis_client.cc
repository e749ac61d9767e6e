// hiredis client and pool; see redis_client.h.
#include "common/redis_client.h"

#include <poll.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace bkk {

absl::StatusOr<RedisEndpoint> RedisEndpoint::Parse(const std::string& url) {
  RedisEndpoint ep;
  std::string rest = url;
  if (!absl::StartsWith(rest, "redis://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("Redis URL must look like redis://host:port[/db], got \"", url, "\""));
  }
  rest = rest.substr(8);
  std::vector<std::string> host_db = absl::StrSplit(rest, absl::MaxSplits('/', 1));
  std::vector<std::string> host_port = absl::StrSplit(host_db[0], absl::MaxSplits(':', 1));
  if (host_port[0].empty()) return absl::InvalidArgumentError("Redis URL has no host: " + url);
  ep.host = host_port[0];
  if (host_port.size() == 2 && (!absl::SimpleAtoi(host_port[1], &ep.port) || ep.port <= 0 || ep.port > 65535)) {
    return absl::InvalidArgumentError("Redis URL has a bad port: " + url);
  }
  if (host_db.size() == 2 && !host_db[1].empty() && !absl::SimpleAtoi(host_db[1], &ep.db)) {
    return absl::InvalidArgumentError("Redis URL has a bad database number: " + url);
  }
  return ep;
}

RedisConnection::RedisConnection(RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

RedisConnection::~RedisConnection() {
  if (context_ != nullptr) redisFree(context_);
}

absl::Status RedisConnection::Fail(const char* what) {
  std::string message = absl::StrCat("Redis ", what, ": ", context_ != nullptr ? context_->errstr : "no connection");
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  return absl::UnavailableError(message);
}

absl::Status RedisConnection::EnsureConnected() {
  if (context_ != nullptr) return absl::OkStatus();
  timeval tv{static_cast<time_t>(timeout_.count() / 1000), static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  context_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv);
  if (context_ == nullptr || context_->err) return Fail("connect failed");
  redisSetTimeout(context_, tv);
  if (endpoint_.db != 0) {
    ASSIGN_OR_RETURN(auto r, Command({"SELECT", std::to_string(endpoint_.db)}));
  }
  return absl::OkStatus();
}

namespace {

absl::Status CheckReply(const redisReply* reply) {
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::FailedPreconditionError(absl::StrCat("Redis error: ", std::string(reply->str, reply->len)));
  }
  return absl::OkStatus();
}

void ToArgv(const std::vector<std::string>& args, std::vector<const char*>& argv, std::vector<size_t>& lens) {
  argv.clear();
  lens.clear();
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
}

}  // namespace

absl::StatusOr<RedisReply> RedisConnection::Command(const std::vector<std::string>& args) {
  RETURN_IF_ERROR(EnsureConnected());
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  ToArgv(args, argv, lens);
  RedisReply reply(
      static_cast<redisReply*>(redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data())));
  if (!reply) return Fail("command failed");
  RETURN_IF_ERROR(CheckReply(reply.get()));
  return reply;
}

absl::StatusOr<std::vector<RedisReply>> RedisConnection::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  RETURN_IF_ERROR(EnsureConnected());
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& cmd : commands) {
    ToArgv(cmd, argv, lens);
    if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK) {
      return Fail("pipeline append failed");
    }
  }
  std::vector<RedisReply> replies;
  absl::Status first_error;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      return Fail("pipeline read failed");
    }
    RedisReply reply(static_cast<redisReply*>(raw));
    if (auto s = CheckReply(reply.get()); !s.ok() && first_error.ok()) first_error = s;
    replies.push_back(std::move(reply));
  }
  if (!first_error.ok()) return first_error;
  return replies;
}

RedisPool::RedisPool(RedisEndpoint endpoint, int max_size, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout), max_size_(max_size) {}

absl::Status RedisPool::Run(const std::function<absl::Status(RedisConnection&)>& work) {
  std::unique_ptr<RedisConnection> conn;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (idle_.empty() && open_ >= max_size_) stats_.CountWait();
    if (!cv_.wait_for(lock, timeout_ * 4, [&] { return !idle_.empty() || open_ < max_size_; })) {
      stats_.CountTimeout();
      return absl::UnavailableError("all Redis connections are busy");
    }
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;
      conn = std::make_unique<RedisConnection>(endpoint_, timeout_);
    }
  }
  absl::Status status = work(*conn);
  stats_.CountResult(status);
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(conn));  // A failed connection reconnects on its next use.
  cv_.notify_one();
  return status;
}

RedisSubscription::RedisSubscription(RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

RedisSubscription::~RedisSubscription() {
  if (context_ != nullptr) redisFree(context_);
}

absl::Status RedisSubscription::Fail(const char* what) {
  std::string message =
      absl::StrCat("Redis subscription ", what, ": ", context_ != nullptr ? context_->errstr : "no connection");
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  return absl::UnavailableError(message);
}

absl::Status RedisSubscription::Subscribe(const std::string& channel) {
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  timeval tv{static_cast<time_t>(timeout_.count() / 1000), static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  context_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv);
  if (context_ == nullptr || context_->err) return Fail("connect failed");
  redisSetTimeout(context_, tv);
  const char* argv[] = {"SUBSCRIBE", channel.data()};
  const size_t lens[] = {9, channel.size()};
  RedisReply reply(static_cast<redisReply*>(redisCommandArgv(context_, 2, argv, lens)));
  if (!reply) return Fail("subscribe failed");
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 || reply->element[0]->type != REDIS_REPLY_STRING ||
      std::string(reply->element[0]->str, reply->element[0]->len) != "subscribe") {
    if (reply->type == REDIS_REPLY_ERROR) {
      return absl::FailedPreconditionError(absl::StrCat("Redis error: ", std::string(reply->str, reply->len)));
    }
    return Fail("got an unexpected answer to SUBSCRIBE");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> RedisSubscription::Poll(std::chrono::milliseconds wait) {
  if (context_ == nullptr) return absl::UnavailableError("Redis subscription is not connected");
  // At most one wait on the socket per call: whatever is buffered first,
  // then one read of what has arrived.
  bool waited = false;
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(context_->reader, &raw) != REDIS_OK) return Fail("read a malformed reply");
    if (raw != nullptr) {
      RedisReply reply(static_cast<redisReply*>(raw));
      // ["message", channel, payload]; confirmations and pongs are skipped.
      if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 && reply->element[0]->type == REDIS_REPLY_STRING &&
          reply->element[2]->type == REDIS_REPLY_STRING &&
          std::string(reply->element[0]->str, reply->element[0]->len) == "message") {
        return std::optional<std::string>(std::string(reply->element[2]->str, reply->element[2]->len));
      }
      continue;
    }
    if (waited) return std::optional<std::string>();
    waited = true;
    pollfd p{context_->fd, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(wait.count()));
    if (n < 0) return Fail("poll failed");
    if (n == 0) return std::optional<std::string>();
    if (redisBufferRead(context_) != REDIS_OK) return Fail("connection lost");
  }
}

absl::StatusOr<int64_t> RedisInteger(const redisReply* reply) {
  if (reply == nullptr) return absl::InternalError("no Redis reply");
  if (reply->type == REDIS_REPLY_INTEGER) return static_cast<int64_t>(reply->integer);
  if (reply->type == REDIS_REPLY_NIL) return 0;
  if (reply->type == REDIS_REPLY_STRING) {
    int64_t v = 0;
    if (absl::SimpleAtoi(absl::string_view(reply->str, reply->len), &v)) return v;
  }
  return absl::InternalError("Redis reply is not an integer");
}

}  // namespace bkk

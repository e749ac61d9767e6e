// Helpers for integration tests: a private PostgreSQL database per test
// binary, child processes for the real service binaries, and gRPC probes.
#ifndef BKK_TESTS_SUPPORT_TEST_SUPPORT_H_
#define BKK_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bkk::testing {

// The harness's server URL (BKK_TEST_PG_URL / BKK_TEST_REDIS_URL); fails the
// test with a hint when unset, so integration tests never silently pass.
std::string HarnessPgUrl();
std::string HarnessRedisUrl();

// A fresh database on the harness's PostgreSQL, dropped on destruction.
class TestDatabase final {
 public:
  explicit TestDatabase(const std::string& prefix);
  ~TestDatabase();
  const std::string& url() const { return url_; }

 private:
  std::string admin_url_, name_, url_;
};

// A service binary run as a child process with an explicit environment.
class ChildProcess final {
 public:
  ChildProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env);
  ~ChildProcess();
  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for exit; returns the exit status (or 128+signal), -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  // Everything the child wrote to stdout and stderr so far.
  std::string Output() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  int exit_status_ = -1;
};

// A Redis server of the test's own, on a free loopback port: for tests that
// stop, flush or restart Redis without disturbing other tests.
class LocalRedis final {
 public:
  LocalRedis();
  ~LocalRedis();
  void Start();
  void Stop();
  void FlushAll();
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  std::string dir_;
};

// A PostgreSQL cluster of the test's own (initdb under /tmp, run as the
// postgres user), for tests that stop and restart the database.
class LocalPostgres final {
 public:
  LocalPostgres();
  ~LocalPostgres();
  void Start();
  // Fast shutdown: open connections are cut, as in an outage.
  void Stop();
  std::string url() const { return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres"; }

 private:
  int port_;
  std::string dir_;
};

// Runs a shell command; returns its exit status.
int Shell(const std::string& command);

int FreePort();
std::string BinaryPath(const std::string& relative);  // under the build dir

// gRPC health Check on a service name ("" = the server). Returns the status
// enum value (1 = SERVING) or -1 when the call fails.
int HealthStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& service);
// Waits until the server answers SERVING or the timeout passes.
bool WaitServing(const std::string& address, std::chrono::milliseconds timeout);
// Service names listed by server reflection (v1alpha).
std::vector<std::string> ReflectionServices(const std::shared_ptr<grpc::Channel>& channel);

}  // namespace bkk::testing

#endif  // BKK_TESTS_SUPPORT_TEST_SUPPORT_H_

// Integration-test helpers; see test_support.h.
#include "tests/support/test_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <thread>

#include "grpc_probes.grpc.pb.h"
#include "reflection_probe.grpc.pb.h"

namespace bkk::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string RandomSuffix() {
  std::random_device rd;
  return std::to_string(rd() % 1000000000u);
}

}  // namespace

std::string HarnessPgUrl() {
  std::string url = Env("BKK_TEST_PG_URL");
  if (url.empty()) ADD_FAILURE() << "BKK_TEST_PG_URL is not set: run through ./bkk test";
  return url;
}

std::string HarnessRedisUrl() {
  std::string url = Env("BKK_TEST_REDIS_URL");
  if (url.empty()) ADD_FAILURE() << "BKK_TEST_REDIS_URL is not set: run through ./bkk test";
  return url;
}

TestDatabase::TestDatabase(const std::string& prefix) : admin_url_(HarnessPgUrl()) {
  name_ = prefix + "_" + RandomSuffix();
  pqxx::connection c(admin_url_);
  pqxx::nontransaction tx(c);
  tx.exec("CREATE DATABASE " + tx.quote_name(name_));
  auto slash = admin_url_.rfind('/');
  url_ = admin_url_.substr(0, slash + 1) + name_;
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection c(admin_url_);
    pqxx::nontransaction tx(c);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception&) {
  }
}

ChildProcess::ChildProcess(const std::string& binary, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  log_path_ = "/tmp/bkk-child-" + RandomSuffix() + ".log";
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<std::string> storage;
    for (const auto& [k, v] : env) storage.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& s : storage) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string bin = binary;
    argv.push_back(bin.data());
    std::vector<std::string> args_copy = args;
    for (auto& a : args_copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execve(bin.c_str(), argv.data(), envp.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && exit_status_ < 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  unlink(log_path_.c_str());
}

void ChildProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int ChildProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

std::string ChildProcess::Output() const {
  std::ifstream in(log_path_);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

int Shell(const std::string& command) {
  int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

LocalRedis::LocalRedis() : port_(FreePort()), dir_("/tmp/bkk-redis-" + RandomSuffix()) { Start(); }

LocalRedis::~LocalRedis() {
  Stop();
  Shell("rm -rf " + dir_);
}

void LocalRedis::Start() {
  Shell("mkdir -p " + dir_);
  std::string cmd = "redis-server --port " + std::to_string(port_) + " --bind 127.0.0.1 --save '' --appendonly no " +
                    "--daemonize yes --dir " + dir_ + " --pidfile " + dir_ + "/redis.pid --logfile " + dir_ +
                    "/redis.log";
  EXPECT_EQ(Shell(cmd), 0);
  for (int i = 0; i < 100; ++i) {
    if (Shell("redis-cli -p " + std::to_string(port_) + " ping >/dev/null 2>&1") == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "redis did not start on port " << port_;
}

void LocalRedis::Stop() {
  Shell("redis-cli -p " + std::to_string(port_) + " shutdown nosave >/dev/null 2>&1");
  for (int i = 0; i < 100; ++i) {
    if (Shell("redis-cli -p " + std::to_string(port_) + " ping >/dev/null 2>&1") != 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void LocalRedis::FlushAll() { EXPECT_EQ(Shell("redis-cli -p " + std::to_string(port_) + " flushall >/dev/null"), 0); }

LocalPostgres::LocalPostgres() : port_(FreePort()), dir_("/tmp/bkk-pg-" + RandomSuffix()) {
  std::string bin = "/usr/lib/postgresql/15/bin/";
  EXPECT_EQ(Shell("mkdir -p " + dir_ + " && chown postgres:postgres " + dir_ + " && chmod 700 " + dir_ +
                  " && runuser -u postgres -- " + bin + "initdb -D " + dir_ +
                  " -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1"),
            0);
  Start();
}

LocalPostgres::~LocalPostgres() {
  Stop();
  Shell("rm -rf " + dir_);
}

void LocalPostgres::Start() {
  std::string cmd = "runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D " + dir_ + " -l " + dir_ +
                    "/server.log -w -t 60 -o \"-p " + std::to_string(port_) + " -c listen_addresses=127.0.0.1 -k " +
                    dir_ + "\" start >/dev/null";
  EXPECT_EQ(Shell(cmd), 0) << "PostgreSQL did not start";
}

void LocalPostgres::Stop() {
  Shell("runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D " + dir_ +
        " -m immediate -w stop >/dev/null 2>&1");
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("FreePort: no loopback port to bind");
    std::abort();
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string BinaryPath(const std::string& relative) {
  std::string dir = Env("BKK_BUILD_DIR");
  if (dir.empty()) dir = BKK_BINARY_DIR;
  return dir + "/" + relative;
}

int HealthStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  if (!stub->Check(&ctx, req, &resp).ok()) return -1;
  return resp.status();
}

bool WaitServing(const std::string& address, std::chrono::milliseconds timeout) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (HealthStatus(channel, "") == 1) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::vector<std::string> ReflectionServices(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto stream = stub->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("*");
  std::vector<std::string> names;
  if (!stream->Write(req)) return names;
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  while (stream->Read(&resp)) {
    for (const auto& s : resp.list_services_response().service()) names.push_back(s.name());
  }
  stream->Finish();
  return names;
}

}  // namespace bkk::testing

// ./bkk bench fanout: live tallies at campaign scale. For W = 0, 1,000,
// 5,000 and 10,000 SSE watchers of one district, a fixed-rate voter votes
// in that district through the gateway, and the run measures what a
// campaign night needs: ballot latency (from each ballot's scheduled time,
// so a stall cannot hide), ballots/s, voting's thread count, the gateway's
// memory, PostgreSQL reads per second, and the event delay (from a ballot's
// acknowledgement to the moment the last watcher saw a tally that includes
// it). The anchor, in the same run: nchan, nginx's pub/sub module, with W
// subscribers and a publisher that sends the same JSON at the same cadence
// (the newest acknowledged ballot every push interval) while the same voter
// votes. Every answer is checked: a ballot error, a watcher that never sees
// the final tally, or a served tally (/top after each phase) that disagrees
// with the ballots in PostgreSQL, read directly, fails the run ("fanout:
// FAILED", exit 1); the targets only make it short.
//
//   fanout_bench --gateway-port=P --nchan-port=P --round=R --district=D
//                --ballots=FILE --pg-url=URL --voting-pid=N --gateway-pid=N
//                [--watchers=0,1000,5000,10000] [--seconds=15] [--rate=200]
//                [--push-ms=250] [--warmup-seconds=5]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/sse_watchers.h"

namespace {

using bkk::testing::SseWatchers;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::map<std::string, std::string> ParseFlags(int argc, char** argv) {
  std::map<std::string, std::string> out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a.find('=') == std::string::npos) {
      std::cerr << "fanout_bench: flags are --name=value, got " << a << "\n";
      std::exit(2);
    }
    out[a.substr(2, a.find('=') - 2)] = a.substr(a.find('=') + 1);
  }
  return out;
}

std::string Required(const std::map<std::string, std::string>& flags, const std::string& name) {
  auto it = flags.find(name);
  if (it == flags.end() || it->second.empty()) {
    std::cerr << "fanout_bench: --" << name << " is required (see the header of tests/bench/fanout_bench.cc)\n";
    std::exit(2);
  }
  return it->second;
}

// /proc/<pid>/status fields.
int64_t ProcStatus(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

// A keep-alive HTTP/1.1 connection to 127.0.0.1, blocking: for the voter
// and the nchan publisher.
class HttpConnection {
 public:
  explicit HttpConnection(int port) : port_(port) {}
  ~HttpConnection() { Close(); }
  // Returns the status (0 when the connection failed) and fills `body`.
  int Post(const std::string& path, const std::string& body, std::string* response_body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return 0;
      std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      if (!WriteAll(request)) {
        Close();
        continue;
      }
      int status = ReadResponse(response_body);
      if (status == 0) {
        Close();
        if (attempt == 0 && !got_any_) continue;  // a stale keep-alive connection
      }
      return status;
    }
    return 0;
  }

 private:
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      Close();
      return false;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    buffer_.clear();
    got_any_ = false;
    return true;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  bool WriteAll(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = write(fd_, s.data() + off, s.size() - off);
      if (n <= 0) return false;
      off += n;
    }
    return true;
  }
  int ReadResponse(std::string* body) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore()) return 0;
    }
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    int status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    size_t cl = lower.find("content-length:");
    size_t length = cl == std::string::npos ? 0 : std::stoul(lower.substr(cl + 15));
    while (buffer_.size() < length) {
      if (!ReadMore()) return 0;
    }
    *body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    if (lower.find("connection: close") != std::string::npos) Close();
    got_any_ = true;
    return status;
  }
  bool ReadMore() {
    char tmp[16384];
    ssize_t n = read(fd_, tmp, sizeof tmp);
    if (n <= 0) return false;
    buffer_.append(tmp, n);
    return true;
  }
  const int port_;
  int fd_ = -1;
  std::string buffer_;
  bool got_any_ = false;
};

// CPU seconds (user + system) used so far by processes, by name: the
// gateway, voting, PostgreSQL (every backend), Redis, nginx (nchan) and this
// load client, so each phase says where the machine's two cores went.
std::map<std::string, double> CpuSeconds(int gateway_pid, int voting_pid) {
  std::map<std::string, double> out;
  const double tick = sysconf(_SC_CLK_TCK);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (!std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::string comm = stat.substr(open + 1, close - open - 1);
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    const int id = std::stoi(pid);
    std::string name = id == gateway_pid             ? "gateway"
                       : id == voting_pid            ? "voting"
                       : id == getpid()              ? "load client"
                       : comm == "postgres"          ? "postgres"
                       : comm.rfind("redis", 0) == 0 ? "redis"
                       : comm == "nginx"             ? "nchan"
                                                     : "";
    if (!name.empty()) out[name] += (utime + stime) / tick;
  }
  return out;
}

struct Ballot {
  int district = 0;
  std::string proposal;
  std::string token;
};

struct Cast {
  int64_t scheduled_ns = 0;
  int64_t acked_ns = 0;
  int status = 0;
  int64_t ballot_id = 0;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(p * v.size())) - 1;
  return v[std::min(i, v.size() - 1)];
}

int64_t Digits(const std::string& s, const std::string& key) {
  size_t at = s.find(key);
  if (at == std::string::npos) return -1;
  at += key.size();
  int64_t v = 0;
  bool any = false;
  while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) {
    v = v * 10 + (s[at++] - '0');
    any = true;
  }
  return any ? v : -1;
}

struct PhaseResult {
  std::string name;
  int watchers = 0;
  int64_t ballots_ok = 0;
  int64_t ballot_errors = 0;
  double ballots_per_s = 0;
  double ballot_p50_ms = 0, ballot_p99_ms = 0;
  int64_t threads_idle = 0, threads_max = 0;
  double gateway_rss_mb = 0;
  double kb_per_idle_client = 0;
  double pg_reads_per_s = 0;
  double delay_p50_ms = 0, delay_p99_ms = 0;
  int final_ok = 0;         // watchers whose last event is the final tally
  int64_t missed = 0;       // (ballot, watcher) pairs never seen
  std::string wrong_tally;  // empty when /top agreed with PostgreSQL after the phase
  double connect_s = 0;
  std::map<std::string, double> cpu_per_s;  // cores used while voting, by process
};

class Bench {
 public:
  explicit Bench(const std::map<std::string, std::string>& flags)
      : gateway_port_(std::stoi(Required(flags, "gateway-port"))),
        nchan_port_(std::stoi(Required(flags, "nchan-port"))),
        round_(Required(flags, "round")),
        district_(std::stoi(Required(flags, "district"))),
        pg_url_(Required(flags, "pg-url")),
        voting_pid_(std::stoi(Required(flags, "voting-pid"))),
        gateway_pid_(std::stoi(Required(flags, "gateway-pid"))),
        seconds_(flags.count("seconds") ? std::stoi(flags.at("seconds")) : 15),
        rate_(flags.count("rate") ? std::stoi(flags.at("rate")) : 200),
        push_ms_(flags.count("push-ms") ? std::stoi(flags.at("push-ms")) : 250),
        watcher_nice_(flags.count("watcher-nice") ? std::stoi(flags.at("watcher-nice")) : 19) {
    std::ifstream in(Required(flags, "ballots"));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      Ballot b;
      if (fields >> b.district >> b.proposal >> b.token) ballots_.push_back(b);
    }
    pqxx::connection c(pg_url_);
    pqxx::work tx(c);
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    tx.commit();
    // The import and the voter registration leave autovacuum work behind; do
    // it now rather than in the middle of whichever phase it would hit.
    pqxx::nontransaction maintenance(c);
    maintenance.exec("VACUUM ANALYZE");
  }

  // Before each phase: no checkpoint left over from the previous one.
  void Checkpoint() {
    pqxx::connection c(pg_url_);
    pqxx::nontransaction tx(c);
    tx.exec("CHECKPOINT");
  }

  size_t ballots_available() const { return ballots_.size() - next_ballot_; }
  int64_t GatewayRssKb() const { return ProcStatus(gateway_pid_, "VmRSS"); }

  // Statements other than the ballot insert, from pg_stat_statements.
  int64_t PgReads() {
    pqxx::connection c(pg_url_);
    pqxx::nontransaction tx(c);
    return tx
        .exec1(
            "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements "
            "WHERE query !~* 'insert_ballot_group|pg_stat_statements|^\\s*(begin|commit|rollback|set)'")[0]
        .as<int64_t>();
  }

  // One phase; `seconds` (0: the run's) of voting at the run's rate.
  PhaseResult Run(const std::string& name, int watchers, bool nchan, int phase_index, int64_t rss_base_kb,
                  const std::string& nchan_template, int seconds = 0) {
    PhaseResult r;
    r.name = name;
    r.watchers = watchers;
    SseWatchers::Options options;
    options.port = nchan ? nchan_port_ : gateway_port_;
    options.target =
        nchan ? "/sub" : "/v1/rounds/" + round_ + "/districts/" + std::to_string(district_) + "/tallies:watch?limit=10";
    options.count = watchers;
    options.source_addresses = std::max(1, watchers / 1000);
    options.source_offset = phase_index * 20;
    options.nice = watcher_nice_;
    SseWatchers sse(options);
    std::atomic<int64_t> max_acked{0};
    HttpConnection publisher(nchan_port_);
    auto publish = [&](int64_t mark) {
      std::string body = std::regex_replace(nchan_template, std::regex("\"watermark\":\"[0-9]+\""),
                                            "\"watermark\":\"" + std::to_string(mark) + "\"");
      std::string ignored;
      publisher.Post("/pub", body, &ignored);
    };
    const auto connect_start = Clock::now();
    if (watchers > 0) {
      sse.Start();
      if (nchan) {
        sse.WaitUntil([&](const SseWatchers& s) { return s.Streaming() == watchers; }, milliseconds(180'000));
        publish(0);
      }
      if (!sse.WaitUntil([&](const SseWatchers& s) { return s.AtLeast(0) == watchers; }, milliseconds(180'000))) {
        std::cerr << name << ": only " << sse.AtLeast(0) << " of " << watchers << " watchers got a first tally\n";
      }
    }
    r.connect_s = std::chrono::duration<double>(Clock::now() - connect_start).count();
    Checkpoint();
    std::this_thread::sleep_for(milliseconds(2000));  // settle, then measure the idle state
    r.threads_idle = ProcStatus(voting_pid_, "Threads");
    const int64_t rss_idle = GatewayRssKb();
    if (watchers > 0 && !nchan) r.kb_per_idle_client = double(rss_idle - rss_base_kb) / watchers;
    const int64_t reads_before = PgReads();
    const auto cpu_before = CpuSeconds(gateway_pid_, voting_pid_);

    // The voter: open loop at `rate_`, latency from each ballot's scheduled time.
    const int total = rate_ * (seconds > 0 ? seconds : seconds_);
    std::vector<Cast> casts(total);
    std::atomic<int> next{0};
    std::atomic<bool> running{true};
    const int64_t t0 = SseWatchers::NowNs() + 100'000'000;
    const size_t first = next_ballot_;
    next_ballot_ += total;
    std::vector<std::thread> workers;
    for (int w = 0; w < 16; ++w) {
      workers.emplace_back([&, w] {
        HttpConnection http(gateway_port_);
        for (int i = next++; i < total; i = next++) {
          const Ballot& b = ballots_[first + i];
          Cast& c = casts[i];
          c.scheduled_ns = t0 + int64_t(i) * 1'000'000'000 / rate_;
          std::this_thread::sleep_for(
              std::chrono::nanoseconds(std::max<int64_t>(0, c.scheduled_ns - SseWatchers::NowNs())));
          std::string body = "{\"voterToken\":\"" + b.token + "\",\"choices\":[{\"proposalId\":\"" + b.proposal +
                             "\"}],\"idempotencyKey\":\"fanout-" + std::to_string(first + i) + "\"}";
          std::string answer;
          c.status = http.Post("/v1/rounds/" + round_ + "/districts/" + std::to_string(b.district) + "/ballots", body,
                               &answer);
          c.acked_ns = SseWatchers::NowNs();
          c.ballot_id = Digits(answer, "\"ballotId\":\"");
          if (c.status == 200 && c.ballot_id > 0) {
            int64_t seen = max_acked.load();
            while (c.ballot_id > seen && !max_acked.compare_exchange_weak(seen, c.ballot_id)) {
            }
          }
        }
        (void)w;
      });
    }
    // Samplers, and for nchan the publisher: the newest acknowledged ballot
    // every push interval, as the broadcaster pushes.
    int64_t threads_max = r.threads_idle, rss_max = rss_idle;
    std::thread sampler([&] {
      int64_t published = 0;
      auto next_push = Clock::now();
      auto next_sample = Clock::now();
      while (running.load()) {
        auto now = Clock::now();
        if (nchan && now >= next_push) {
          int64_t m = max_acked.load();
          if (m != published) {
            publish(m);
            published = m;
          }
          next_push += milliseconds(push_ms_);
        }
        if (now >= next_sample) {
          threads_max = std::max(threads_max, ProcStatus(voting_pid_, "Threads"));
          rss_max = std::max(rss_max, GatewayRssKb());
          next_sample += milliseconds(250);
        }
        std::this_thread::sleep_for(milliseconds(5));
      }
      if (nchan) publish(max_acked.load());  // the final tally
    });
    for (auto& t : workers) t.join();
    const int64_t t_end = SseWatchers::NowNs();
    const int64_t reads_after = PgReads();
    for (const auto& [proc, secs] : CpuSeconds(gateway_pid_, voting_pid_)) {
      r.cpu_per_s[proc] = (secs - (cpu_before.count(proc) ? cpu_before.at(proc) : 0)) / ((t_end - t0) / 1e9);
    }
    // The watchers' final tally: wait for the newest acknowledged ballot.
    const int64_t last = max_acked.load();
    if (!nchan) running = false;
    if (watchers > 0) {
      sse.WaitUntil([&](const SseWatchers& s) { return s.AtLeast(last) == watchers; }, milliseconds(15'000));
    }
    running = false;
    sampler.join();
    r.threads_max = threads_max;
    r.gateway_rss_mb = rss_max / 1024.0;
    r.pg_reads_per_s = double(reads_after - reads_before) / ((t_end - t0) / 1e9);

    std::vector<double> latency;
    std::vector<const Cast*> ok;
    for (const auto& c : casts) {
      if (c.status == 200 && c.ballot_id > 0) {
        latency.push_back((c.acked_ns - c.scheduled_ns) / 1e6);
        ok.push_back(&c);
      } else {
        ++r.ballot_errors;
        if (r.ballot_errors <= 3) std::cerr << name << ": ballot failed with HTTP " << c.status << "\n";
      }
    }
    r.ballots_ok = ok.size();
    r.ballots_per_s = ok.size() / ((t_end - t0) / 1e9);
    r.ballot_p50_ms = Percentile(latency, 0.50);
    r.ballot_p99_ms = Percentile(latency, 0.99);

    // Event delay: for each ballot, when did the last watcher see it?
    if (watchers > 0) {
      std::sort(ok.begin(), ok.end(), [](const Cast* a, const Cast* b) { return a->ballot_id < b->ballot_id; });
      std::vector<int64_t> last_seen(ok.size(), 0);
      std::vector<bool> missing(ok.size(), false);
      const auto snapshot = sse.Snapshot();
      const std::string final_top = nchan ? "" : TopJson();
      const int64_t final_voters = Digits(final_top, "\"voterCount\":\"");
      for (const auto& w : snapshot) {
        size_t e = 0;
        for (size_t b = 0; b < ok.size(); ++b) {
          while (e < w.events.size() && w.events[e].mark < ok[b]->ballot_id) ++e;
          if (e == w.events.size()) {
            missing[b] = true;
            ++r.missed;
            continue;
          }
          last_seen[b] = std::max(last_seen[b], w.events[e].at_ns);
        }
        const bool final_ok = !w.events.empty() && w.events.back().mark >= last &&
                              (nchan || Digits(w.last_data, "\"voterCount\":\"") == final_voters);
        r.final_ok += final_ok;
      }
      std::vector<double> delays;
      for (size_t b = 0; b < ok.size(); ++b) {
        if (!missing[b]) delays.push_back(std::max<int64_t>(0, last_seen[b] - ok[b]->acked_ns) / 1e6);
      }
      r.delay_p50_ms = Percentile(delays, 0.50);
      r.delay_p99_ms = Percentile(delays, 0.99);
      if (!nchan && !snapshot.empty()) last_event_ = snapshot.front().last_data;
    }
    sse.Stop();
    r.wrong_tally = TallyDisagreement();
    return r;
  }

  // The district's tally from its ballots in PostgreSQL, read directly:
  // "voters N, P:S …" by proposal id, proposals with support only.
  std::string StoredTally() {
    pqxx::connection c(pg_url_);
    pqxx::read_transaction tx(c);
    std::string tally = "voters " + tx.exec_params1(
                                          "SELECT count(*) FROM voting.ballots "
                                          "WHERE round_id = $1::bigint AND district_id = $2",
                                          round_, district_)[0]
                                        .as<std::string>();
    for (const auto& row : tx.exec_params(
             "SELECT u.p, sum(u.s) FROM voting.ballots b, unnest(b.proposal_ids, b.points) AS u(p, s) "
             "WHERE b.round_id = $1::bigint AND b.district_id = $2 GROUP BY u.p HAVING sum(u.s) > 0 ORDER BY u.p",
             round_, district_)) {
      tally += ", " + row[0].as<std::string>() + ":" + row[1].as<std::string>();
    }
    return tally;
  }

  // The same from the gateway's /top (its ten proposals are all the
  // district's).
  static std::string ServedTally(const std::string& top) {
    std::map<int64_t, int64_t> support;
    const std::string key = "\"proposalId\":\"";
    for (size_t at = top.find(key); at != std::string::npos;) {
      const size_t next = top.find(key, at + key.size());
      const std::string item = top.substr(at, next == std::string::npos ? std::string::npos : next - at);
      if (const int64_t points = Digits(item, "\"support\":\""); points > 0) support[Digits(item, key)] = points;
      at = next;
    }
    std::string tally = "voters " + std::to_string(Digits(top, "\"voterCount\":\""));
    for (const auto& [proposal, points] : support)
      tally += ", " + std::to_string(proposal) + ":" + std::to_string(points);
    return tally;
  }

  // Empty once /top agrees with PostgreSQL (the tallies follow the commits
  // within moments); after 10 s, both.
  std::string TallyDisagreement() {
    std::string stored, served;
    for (int attempt = 0; attempt < 100; ++attempt) {
      stored = StoredTally();
      served = ServedTally(TopJson());
      if (served == stored) return "";
      std::this_thread::sleep_for(milliseconds(100));
    }
    return "/top says " + served + "; PostgreSQL holds " + stored;
  }

  // GET /top through a raw request (the final tally as the API reads it).
  std::string TopJson() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(gateway_port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string out;
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      std::string req = "GET /v1/rounds/" + round_ + "/districts/" + std::to_string(district_) +
                        "/top?limit=10 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
      (void)!write(fd, req.data(), req.size());
      char buf[16384];
      ssize_t n;
      while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
    }
    close(fd);
    size_t body = out.find("\r\n\r\n");
    return body == std::string::npos ? "" : out.substr(body + 4);
  }

  const std::string& last_event() const { return last_event_; }
  int push_ms() const { return push_ms_; }
  int watcher_nice() const { return watcher_nice_; }

 private:
  const int gateway_port_, nchan_port_;
  const std::string round_;
  const int district_;
  const std::string pg_url_;
  const int voting_pid_, gateway_pid_;
  const int seconds_, rate_, push_ms_;
  const int watcher_nice_;  // the watchers stand for devices elsewhere (see SseWatchers::Options::nice)
  std::vector<Ballot> ballots_;
  size_t next_ballot_ = 0;
  std::string last_event_;
};

}  // namespace

int main(int argc, char** argv) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  auto flags = ParseFlags(argc, argv);
  const int warmup_seconds = flags.count("warmup-seconds") ? std::stoi(flags["warmup-seconds"]) : 5;
  std::vector<int> counts;
  {
    std::stringstream list(flags.count("watchers") ? flags["watchers"] : "0,1000,5000,10000");
    std::string item;
    while (std::getline(list, item, ',')) counts.push_back(std::stoi(item));
  }
  Bench bench(flags);
  const int64_t rss_base = bench.GatewayRssKb();
  std::cerr << "the watchers' client runs at nice " << bench.watcher_nice()
            << ": it stands for devices elsewhere (--watcher-nice=0 makes it compete for the CPU)\n";
  // Warm-up, not reported: the first seconds after the import pay for
  // PostgreSQL's checkpoint and cold caches, which is no watcher's doing.
  std::cerr << "warm-up: " << warmup_seconds << " s of voting\n";
  bench.Run("warm-up", 0, false, 0, rss_base, "", warmup_seconds);
  std::vector<PhaseResult> results;
  int phase = 1;
  for (int w : counts) {
    std::cerr << "phase: " << w << " watchers of the gateway\n";
    results.push_back(bench.Run("gateway", w, false, phase++, rss_base, ""));
  }
  const int w_max = counts.back();
  std::string nchan_template = bench.last_event();
  if (nchan_template.empty()) nchan_template = bench.TopJson();
  if (nchan_template.find("\"watermark\"") == std::string::npos) nchan_template += R"({"watermark":"0"})";
  std::cerr << "phase: " << w_max << " subscribers of nchan (the same JSON, " << nchan_template.size()
            << " bytes, every " << bench.push_ms() << " ms)\n";
  PhaseResult anchor = bench.Run("nchan", w_max, true, phase++, rss_base, nchan_template);
  // W=0 once more, last: the baseline is the better of the two W=0 phases,
  // so a stall of PostgreSQL early in the run (after the import and the
  // registrations) cannot inflate it and flatter every ratio.
  std::cerr << "phase: 0 watchers of the gateway, again\n";
  PhaseResult zero_again = bench.Run("gateway", 0, false, phase++, rss_base, "");
  zero_again.name = "again";

  std::printf("%-8s %7s %9s %8s %8s %6s %13s %9s %9s %9s %9s %9s %9s\n", "target", "W", "ballots/s", "p50 ms", "p99 ms",
              "errors", "vote threads", "gw RSS MB", "KB/idle", "PG rd/s", "delay p50", "delay p99", "final ok");
  for (const auto& r : results) {
    std::printf("%-8s %7d %9.1f %8.1f %8.1f %6lld %6lld/%-6lld %9.1f %9.1f %9.1f %9.1f %9.1f %4d/%-4d\n",
                r.name.c_str(), r.watchers, r.ballots_per_s, r.ballot_p50_ms, r.ballot_p99_ms,
                static_cast<long long>(r.ballot_errors), static_cast<long long>(r.threads_idle),
                static_cast<long long>(r.threads_max), r.gateway_rss_mb, r.kb_per_idle_client, r.pg_reads_per_s,
                r.delay_p50_ms, r.delay_p99_ms, r.final_ok, r.watchers);
  }
  std::printf("%-8s %7d %9.1f %8.1f %8.1f %6lld %6lld/%-6lld %9s %9s %9.1f %9.1f %9.1f %4d/%-4d\n", anchor.name.c_str(),
              anchor.watchers, anchor.ballots_per_s, anchor.ballot_p50_ms, anchor.ballot_p99_ms,
              static_cast<long long>(anchor.ballot_errors), static_cast<long long>(anchor.threads_idle),
              static_cast<long long>(anchor.threads_max), "-", "-", anchor.pg_reads_per_s, anchor.delay_p50_ms,
              anchor.delay_p99_ms, anchor.final_ok, anchor.watchers);
  std::printf("%-8s %7d %9.1f %8.1f %8.1f %6lld %6lld/%-6lld\n", zero_again.name.c_str(), zero_again.watchers,
              zero_again.ballots_per_s, zero_again.ballot_p50_ms, zero_again.ballot_p99_ms,
              static_cast<long long>(zero_again.ballot_errors), static_cast<long long>(zero_again.threads_idle),
              static_cast<long long>(zero_again.threads_max));
  std::vector<PhaseResult> all = results;
  all.push_back(anchor);
  all.push_back(zero_again);
  for (const auto& r : all) {
    std::string cpu;
    for (const auto& [proc, cores] : r.cpu_per_s) {
      char part[64];
      std::snprintf(part, sizeof part, " %s %.2f", proc.c_str(), cores);
      cpu += part;
    }
    std::printf("%s W=%d: connected in %.1f s, %lld (ballot, watcher) pairs never seen; cores used:%s\n",
                r.name.c_str(), r.watchers, r.connect_s, static_cast<long long>(r.missed), cpu.c_str());
  }

  const PhaseResult& zero = zero_again.ballot_p99_ms < results.front().ballot_p99_ms ? zero_again : results.front();
  const PhaseResult& top = results.back();
  bool ok = true;
  std::vector<std::string> why;
  // Wrong answers: the run fails.
  std::vector<std::string> wrong;
  int64_t errors = 0;
  for (const auto& r : all) {
    errors += r.ballot_errors;
    if (r.name == "gateway" && (r.final_ok != r.watchers || r.missed != 0)) {
      wrong.push_back("W=" + std::to_string(r.watchers) + ": " + std::to_string(r.watchers - r.final_ok) +
                      " watchers missed the final tally, " + std::to_string(r.missed) + " (ballot, watcher) pairs");
    }
    if (!r.wrong_tally.empty()) wrong.push_back(r.name + " W=" + std::to_string(r.watchers) + ": " + r.wrong_tally);
  }
  if (errors != 0) wrong.push_back(std::to_string(errors) + " ballot errors");
  if (!wrong.empty()) {
    for (const auto& w : wrong) std::printf("wrong: %s\n", w.c_str());
    std::printf("fanout: FAILED: %zu wrong answers (above)\n", wrong.size());
    return 1;
  }
  if (std::llabs(top.threads_max - zero.threads_max) > 8) {
    ok = false;
    why.push_back("voting threads " + std::to_string(zero.threads_max) + " at W=0 vs " +
                  std::to_string(top.threads_max) + " at W=" + std::to_string(top.watchers));
  }
  const double p99_ratio = zero.ballot_p99_ms > 0 ? top.ballot_p99_ms / zero.ballot_p99_ms : 0;
  const double nchan_ratio = anchor.delay_p99_ms > 0 ? top.delay_p99_ms / anchor.delay_p99_ms : 0;
  if (p99_ratio > 1.5) ok = false;
  if (top.delay_p99_ms > 1000) ok = false;
  if (nchan_ratio > 2.0) ok = false;
  for (const auto& w : why) std::printf("short: %s\n", w.c_str());
  // The same voter with nchan's subscribers instead of ours: what any
  // fan-out sharing these two cores with voting and PostgreSQL costs.
  std::printf("W=0 ballot p99 %.1f ms first, %.1f ms last: the baseline is %.1f ms\n", results.front().ballot_p99_ms,
              zero_again.ballot_p99_ms, zero.ballot_p99_ms);
  std::printf("for comparison, nchan's %d subscribers put ballot p99 at %.2fx of W=0 in this run\n", anchor.watchers,
              zero.ballot_p99_ms > 0 ? anchor.ballot_p99_ms / zero.ballot_p99_ms : 0);
  std::printf(
      "fanout: W=%d ballot p99 %.2fx of W=0, delay p99 %.0f ms (%.2fx nchan), target ≤1.5x / ≤1000 ms / ≤2x: %s\n",
      top.watchers, p99_ratio, top.delay_p99_ms, nchan_ratio, ok ? "pass" : "short");
  return 0;
}

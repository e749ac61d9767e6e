// The live-tally broadcaster without a database: a compute function that
// counts its calls stands in for the Redis read, so the tests pin what the
// design promises: one computation per change whatever the number of
// watchers, a throttle per district, the current frame for late joiners,
// slow watchers that skip to the newest frame, and clean ends.
#include "services/voting/core/tally_broadcaster.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "common/latest_only.h"

namespace bkk::voting {
namespace {

using std::chrono::milliseconds;
using Key = TallyBroadcaster::Key;

// The district's "tallies": the test moves the watermark, compute reads it.
struct FakeDistrict {
  std::atomic<int64_t> watermark{0};
  std::atomic<int> computes{0};
  std::atomic<bool> closed{false};
  std::atomic<int> fail{0};  // 0 none, 1 UNAVAILABLE, 2 NOT_FOUND
  TallyBroadcaster::Compute Compute() {
    return [this](const Key&) -> absl::StatusOr<std::shared_ptr<const TallyFrame>> {
      ++computes;
      if (fail == 1) return absl::UnavailableError("PostgreSQL is down");
      if (fail == 2) return absl::NotFoundError("no round 9");
      auto f = std::make_shared<TallyFrame>();
      f->watermark = watermark.load();
      f->content_hash = static_cast<uint64_t>(f->watermark);
      f->voting_closed = closed.load();
      return std::shared_ptr<const TallyFrame>(f);
    };
  }
};

// Records every frame and the end; optionally stalls its "write" like a
// slow network peer, keeping only the newest frame meanwhile.
class Watcher final : public TallyBroadcaster::Subscriber {
 public:
  void OnFrame(const std::shared_ptr<const TallyFrame>& frame) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++offered_;
    if (auto now = slot_.Offer(frame)) written_.push_back((*now)->watermark);
    if (!slow_) {
      while (auto next = slot_.WriteDone()) written_.push_back((*next)->watermark);
    }
  }
  void OnEnd(const absl::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++ends_;
    end_ = status;
  }
  // The slow peer finally reads: one write completes.
  void CompleteWrite() {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto next = slot_.WriteDone()) written_.push_back((*next)->watermark);
  }
  void set_slow(bool slow) { slow_ = slow; }
  std::vector<int64_t> written() {
    std::lock_guard<std::mutex> lock(mu_);
    return written_;
  }
  int64_t last() {
    std::lock_guard<std::mutex> lock(mu_);
    return written_.empty() ? -1 : written_.back();
  }
  int offered() {
    std::lock_guard<std::mutex> lock(mu_);
    return offered_;
  }
  int ends() {
    std::lock_guard<std::mutex> lock(mu_);
    return ends_;
  }
  absl::Status end() {
    std::lock_guard<std::mutex> lock(mu_);
    return end_;
  }
  bool waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return slot_.has_waiting();
  }

 private:
  std::mutex mu_;
  bool slow_ = false;
  LatestOnly<std::shared_ptr<const TallyFrame>> slot_;
  std::vector<int64_t> written_;
  int offered_ = 0;
  int ends_ = 0;
  absl::Status end_;
};

template <typename F>
bool WaitFor(F condition, milliseconds timeout = milliseconds(3000)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return condition();
}

TallyChange Moved(int64_t round, int32_t district, int64_t watermark) {
  TallyChange c;
  c.watermark = watermark;
  c.districts.insert({round, district});
  return c;
}

TallyBroadcaster::Options Fast(milliseconds push = milliseconds(20)) {
  TallyBroadcaster::Options o;
  o.push_interval = push;
  o.recheck_interval = milliseconds(60'000);
  o.degraded_recheck = milliseconds(30);
  return o;
}

TEST(TallyBroadcasterTest, ManyWatchersOneComputationPerChange) {
  FakeDistrict d;
  TallyBroadcaster b(d.Compute(), Fast());
  b.Start();
  std::vector<std::shared_ptr<Watcher>> watchers;
  for (int i = 0; i < 1000; ++i) {
    watchers.push_back(std::make_shared<Watcher>());
    b.Subscribe({1, 7, 10}, watchers.back());
  }
  ASSERT_TRUE(WaitFor([&] { return watchers.back()->last() == 0; }));
  const int before = d.computes.load();
  EXPECT_LE(before, 2) << "the first frame is computed once for all 1,000 watchers";
  d.watermark = 5;
  b.OnChange(Moved(1, 7, 5));
  ASSERT_TRUE(WaitFor([&] {
    for (auto& w : watchers) {
      if (w->last() != 5) return false;
    }
    return true;
  }));
  EXPECT_EQ(d.computes.load() - before, 1) << "one change, one computation, 1,000 watchers";
  EXPECT_EQ(b.stats().subscribers, 1000u);
  EXPECT_EQ(b.stats().districts, 1u);
  // Another district's change, or news the frame already has, costs nothing.
  b.OnChange(Moved(1, 8, 9));
  b.OnChange(Moved(1, 7, 5));
  std::this_thread::sleep_for(milliseconds(60));
  EXPECT_EQ(d.computes.load() - before, 1);
}

TEST(TallyBroadcasterTest, ChangesWithinThePushIntervalAreComputedOnceMore) {
  FakeDistrict d;
  TallyBroadcaster b(d.Compute(), Fast(milliseconds(200)));
  b.Start();
  auto w = std::make_shared<Watcher>();
  b.Subscribe({1, 7, 10}, w);
  ASSERT_TRUE(WaitFor([&] { return w->last() == 0; }));
  const int before = d.computes.load();
  for (int i = 1; i <= 100; ++i) {
    d.watermark = i;
    b.OnChange(Moved(1, 7, i));
  }
  ASSERT_TRUE(WaitFor([&] { return w->last() == 100; }));
  EXPECT_EQ(d.computes.load() - before, 1) << "a burst of 100 changes inside one push interval";
  EXPECT_EQ(w->written(), (std::vector<int64_t>{0, 100}));
}

TEST(TallyBroadcasterTest, SlowWatcherGetsTheNewestFrameNeverAQueue) {
  FakeDistrict d;
  TallyBroadcaster b(d.Compute(), Fast(milliseconds(5)));
  b.Start();
  auto slow = std::make_shared<Watcher>();
  auto fast = std::make_shared<Watcher>();
  slow->set_slow(true);
  b.Subscribe({1, 7, 10}, slow);
  b.Subscribe({1, 7, 10}, fast);
  ASSERT_TRUE(WaitFor([&] { return fast->last() == 0; }));
  // While the slow watcher's first write hangs, ten frames go out.
  for (int i = 1; i <= 10; ++i) {
    d.watermark = i;
    b.OnChange(Moved(1, 7, i));
    ASSERT_TRUE(WaitFor([&] { return fast->last() == i; })) << i;
  }
  EXPECT_EQ(slow->written(), (std::vector<int64_t>{0})) << "still writing the first frame";
  EXPECT_GE(slow->offered(), 10);
  EXPECT_TRUE(slow->waiting());
  slow->CompleteWrite();
  EXPECT_EQ(slow->written(), (std::vector<int64_t>{0, 10})) << "skipped straight to the newest";
  slow->CompleteWrite();
  EXPECT_FALSE(slow->waiting()) << "nothing older was kept";
}

TEST(TallyBroadcasterTest, LateWatcherGetsTheCurrentFrameAtOnce) {
  FakeDistrict d;
  TallyBroadcaster b(d.Compute(), Fast());
  b.Start();
  auto first = std::make_shared<Watcher>();
  b.Subscribe({1, 7, 10}, first);
  d.watermark = 3;
  b.OnChange(Moved(1, 7, 3));
  ASSERT_TRUE(WaitFor([&] { return first->last() == 3; }));
  const int before = d.computes.load();
  auto late = std::make_shared<Watcher>();
  b.Subscribe({1, 7, 10}, late);
  EXPECT_EQ(late->written(), (std::vector<int64_t>{3})) << "delivered inside Subscribe";
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(d.computes.load(), before) << "joining costs no computation";
}

TEST(TallyBroadcasterTest, UnsubscribeDuringAPushIsSafe) {
  FakeDistrict d;
  TallyBroadcaster b(d.Compute(), Fast(milliseconds(1)));
  b.Start();
  std::atomic<bool> stop{false};
  // Watchers come and go on two threads while frames are pushed.
  std::vector<std::thread> churn;
  for (int t = 0; t < 2; ++t) {
    churn.emplace_back([&] {
      while (!stop) {
        auto w = std::make_shared<Watcher>();
        uint64_t h = b.Subscribe({1, 7, 10}, w);
        b.Unsubscribe(h);
        b.Unsubscribe(h);  // twice is harmless
      }
    });
  }
  auto steady = std::make_shared<Watcher>();
  b.Subscribe({1, 7, 10}, steady);
  for (int i = 1; i <= 50; ++i) {
    d.watermark = i;
    b.OnChange(Moved(1, 7, i));
    std::this_thread::sleep_for(milliseconds(2));
  }
  stop = true;
  for (auto& t : churn) t.join();
  ASSERT_TRUE(WaitFor([&] { return steady->last() == 50; }));
  EXPECT_EQ(b.stats().subscribers, 1u) << "every churned watcher is gone";
  // A watcher that leaves from inside its own callback.
  struct Leaver : TallyBroadcaster::Subscriber {
    TallyBroadcaster* b = nullptr;
    uint64_t handle = 0;
    std::atomic<int> frames{0};
    void OnFrame(const std::shared_ptr<const TallyFrame>&) override {
      ++frames;
      b->Unsubscribe(handle);
    }
    void OnEnd(const absl::Status&) override {}
  };
  auto leaver = std::make_shared<Leaver>();
  leaver->b = &b;
  leaver->handle = b.Subscribe({1, 7, 10}, leaver);  // its first frame comes before the handle is known
  d.watermark = 51;
  b.OnChange(Moved(1, 7, 51));
  ASSERT_TRUE(WaitFor([&] { return steady->last() == 51; }));
  d.watermark = 52;
  b.OnChange(Moved(1, 7, 52));
  ASSERT_TRUE(WaitFor([&] { return steady->last() == 52; }));
  EXPECT_EQ(leaver->frames.load(), 2) << "no frame after it left";
}

TEST(TallyBroadcasterTest, ClosingRoundSendsTheLastFrameThenEnds) {
  FakeDistrict d;
  TallyBroadcaster b(d.Compute(), Fast());
  b.Start();
  auto w = std::make_shared<Watcher>();
  b.Subscribe({1, 7, 10}, w);
  ASSERT_TRUE(WaitFor([&] { return w->last() == 0; }));
  d.watermark = 8;
  d.closed = true;
  TallyChange round;
  round.kind = TallyChange::Kind::kRound;
  round.round_id = 1;
  b.OnChange(round);
  ASSERT_TRUE(WaitFor([&] { return w->ends() == 1; }));
  EXPECT_EQ(w->last(), 8);
  EXPECT_TRUE(w->end().ok()) << w->end();
  EXPECT_EQ(b.stats().districts, 0u);
}

TEST(TallyBroadcasterTest, OutagesKeepWatchersErrorsEndThem) {
  FakeDistrict d;
  d.fail = 1;
  TallyBroadcaster b(d.Compute(), Fast());
  b.Start();
  auto w = std::make_shared<Watcher>();
  b.Subscribe({1, 7, 10}, w);
  ASSERT_TRUE(WaitFor([&] { return d.computes.load() >= 3; })) << "retried while the store is down";
  EXPECT_EQ(w->ends(), 0);
  d.fail = 0;
  d.watermark = 4;
  ASSERT_TRUE(WaitFor([&] { return w->last() == 4; })) << "recovers without news";
  auto lost = std::make_shared<Watcher>();
  d.fail = 2;
  b.Subscribe({9, 7, 10}, lost);
  ASSERT_TRUE(WaitFor([&] { return lost->ends() == 1; }));
  EXPECT_EQ(lost->end().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(w->ends(), 0) << "another district's error ends only its watchers";
}

TEST(TallyBroadcasterTest, StopEndsEveryWatcherOnceAndRefusesNewOnes) {
  FakeDistrict d;
  TallyBroadcaster b(d.Compute(), Fast());
  b.Start();
  std::vector<std::shared_ptr<Watcher>> ws;
  for (int i = 0; i < 10; ++i) {
    ws.push_back(std::make_shared<Watcher>());
    b.Subscribe({1, 1 + i % 3, 10}, ws.back());
  }
  ASSERT_TRUE(WaitFor([&] { return ws.back()->last() == 0; }));
  b.Stop(absl::UnavailableError("restarting"));
  for (auto& w : ws) {
    EXPECT_EQ(w->ends(), 1);
    EXPECT_EQ(w->end().code(), absl::StatusCode::kUnavailable);
  }
  auto after = std::make_shared<Watcher>();
  EXPECT_EQ(b.Subscribe({1, 1, 10}, after), 0u);
  EXPECT_EQ(after->ends(), 1);
  b.Stop(absl::UnavailableError("again"));  // twice is harmless
  for (auto& w : ws) EXPECT_EQ(w->ends(), 1);
}

TEST(TallyBroadcasterTest, RecheckFindsMissedChangesAndSkipsUnchangedFrames) {
  FakeDistrict d;
  TallyBroadcaster b(d.Compute(), Fast());
  b.Start();
  auto w = std::make_shared<Watcher>();
  b.Subscribe({1, 7, 10}, w);
  ASSERT_TRUE(WaitFor([&] { return w->last() == 0; }));
  b.RecheckAll();
  ASSERT_TRUE(WaitFor([&] { return d.computes.load() >= 2; }));
  std::this_thread::sleep_for(milliseconds(30));
  EXPECT_EQ(w->written().size(), 1u) << "nothing new: nothing sent";
  d.watermark = 6;  // a change whose message was lost
  b.RecheckAll();
  ASSERT_TRUE(WaitFor([&] { return w->last() == 6; }));
}

}  // namespace
}  // namespace bkk::voting

// The group-commit pipeline on its own: a commit function stands in for
// PostgreSQL (the integration tests run it against the real one).
#include "services/voting/core/ballot_writer.h"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"

namespace bkk::voting {
namespace {

using std::chrono::microseconds;

NewBallot BallotFor(int n) {
  NewBallot b;
  b.round_id = 1;
  b.district_id = 1 + n % 50;
  b.voter_hash = absl::StrCat("voter-", n);
  b.idempotency_key = absl::StrCat("key-", n);
  b.receipt_code = absl::StrCat("R", n);
  b.choices = {{7, 1}};
  return b;
}

// Records every group it is given and answers each ballot with a new id.
class FakeStore {
 public:
  std::vector<BallotResult> Commit(const std::vector<NewBallot>& group) {
    std::lock_guard<std::mutex> lock(mu_);
    groups_.push_back(group.size());
    std::vector<BallotResult> out;
    for (const auto& b : group) {
      stored_.insert(b.receipt_code);
      out.push_back({absl::OkStatus(), ++next_id_, b.receipt_code, false});
    }
    return out;
  }
  BallotWriter::Commit AsCommit() {
    return [this](const std::vector<NewBallot>& g) { return Commit(g); };
  }
  std::set<std::string> stored() {
    std::lock_guard<std::mutex> lock(mu_);
    return stored_;
  }
  std::vector<size_t> groups() {
    std::lock_guard<std::mutex> lock(mu_);
    return groups_;
  }

 private:
  std::mutex mu_;
  std::vector<size_t> groups_;
  std::set<std::string> stored_;
  int64_t next_id_ = 0;
};

// Collects answers; Wait() returns once `n` have arrived.
class Answers {
 public:
  BallotWriter::Done For(const std::string& receipt) {
    return [this, receipt](BallotResult r) {
      std::lock_guard<std::mutex> lock(mu_);
      ++calls_[receipt];
      results_[receipt] = std::move(r);
      cv_.notify_all();
    };
  }
  bool Wait(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return calls_.size() >= n; });
  }
  std::map<std::string, int> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  BallotResult result(const std::string& receipt) {
    std::lock_guard<std::mutex> lock(mu_);
    return results_.at(receipt);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> calls_;
  std::map<std::string, BallotResult> results_;
};

TEST(BallotWriterTest, EveryBallotIsAnsweredOnceWithItsOwnResult) {
  FakeStore store;
  Answers answers;
  BallotWriter writer(store.AsCommit(), 64, microseconds(200), nullptr, nullptr);
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) {
        NewBallot b = BallotFor(t * 1000 + i);
        std::string receipt = b.receipt_code;
        writer.Submit(std::move(b), {}, answers.For(receipt));
      }
    });
  }
  for (auto& s : senders) s.join();
  ASSERT_TRUE(answers.Wait(1000));
  writer.Stop();
  auto calls = answers.calls();
  ASSERT_EQ(calls.size(), 1000u);
  std::set<int64_t> ids;
  for (const auto& [receipt, n] : calls) {
    EXPECT_EQ(n, 1) << receipt;
    BallotResult r = answers.result(receipt);
    EXPECT_TRUE(r.status.ok());
    EXPECT_EQ(r.receipt_code, receipt);
    ids.insert(r.ballot_id);
  }
  EXPECT_EQ(ids.size(), 1000u);  // nobody got someone else's ballot
  size_t largest = 0;
  for (size_t g : store.groups()) largest = std::max(largest, g);
  EXPECT_LE(largest, 64u);  // max_batch holds
}

TEST(BallotWriterTest, RefusedBallotsNeverReachTheStore) {
  FakeStore store;
  Answers answers;
  auto admit = [](const std::vector<const RateKeys*>& keys) {
    std::vector<absl::Status> out;
    for (const RateKeys* k : keys) {
      out.push_back(!k->empty() && k->front().first == "abuser" ? absl::ResourceExhaustedError("too many")
                                                                : absl::OkStatus());
    }
    return out;
  };
  BallotWriter writer(store.AsCommit(), 256, microseconds(200), admit, nullptr);
  for (int i = 0; i < 40; ++i) {
    RateKeys keys = {{i % 4 == 0 ? "abuser" : "citizen", 20}};
    writer.Submit(BallotFor(i), keys, answers.For(absl::StrCat("R", i)));
  }
  ASSERT_TRUE(answers.Wait(40));
  writer.Stop();
  auto stored = store.stored();
  for (int i = 0; i < 40; ++i) {
    std::string receipt = absl::StrCat("R", i);
    if (i % 4 == 0) {
      EXPECT_EQ(answers.result(receipt).status.code(), absl::StatusCode::kResourceExhausted);
      EXPECT_EQ(stored.count(receipt), 0u);
    } else {
      EXPECT_TRUE(answers.result(receipt).status.ok());
      EXPECT_EQ(stored.count(receipt), 1u);
    }
  }
}

TEST(BallotWriterTest, BallotsQueuedDuringACommitFormTheNextGroup) {
  std::promise<void> first_commit_started, release_first_commit;
  std::shared_future<void> released = release_first_commit.get_future().share();
  std::mutex mu;
  std::vector<size_t> groups;
  auto commit = [&](const std::vector<NewBallot>& group) {
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      first = groups.empty();
      groups.push_back(group.size());
    }
    if (first) {
      first_commit_started.set_value();
      released.wait();  // a slow fsync
    }
    std::vector<BallotResult> out;
    for (const auto& b : group) out.push_back({absl::OkStatus(), 1, b.receipt_code, false});
    return out;
  };
  Answers answers;
  BallotWriter writer(commit, 256, microseconds(0), nullptr, nullptr);
  writer.Submit(BallotFor(0), {}, answers.For("R0"));
  first_commit_started.get_future().wait();
  for (int i = 1; i <= 50; ++i) writer.Submit(BallotFor(i), {}, answers.For(absl::StrCat("R", i)));
  // Give the admit stage time to pass all 50 on while the commit is stuck.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  release_first_commit.set_value();
  ASSERT_TRUE(answers.Wait(51));
  writer.Stop();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(groups.size(), 2u);  // one fsync for the 50 that waited
  EXPECT_EQ(groups[0], 1u);
  EXPECT_EQ(groups[1], 50u);
}

TEST(BallotWriterTest, StopAnswersEverythingQueuedAndRefusesLaterBallots) {
  auto slow_commit = [](const std::vector<NewBallot>& group) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::vector<BallotResult> out;
    for (const auto& b : group) out.push_back({absl::OkStatus(), 1, b.receipt_code, false});
    return out;
  };
  Answers answers;
  BallotWriter writer(slow_commit, 8, microseconds(100), nullptr, nullptr);
  for (int i = 0; i < 100; ++i) writer.Submit(BallotFor(i), {}, answers.For(absl::StrCat("R", i)));
  writer.Stop();  // returns only when every queued ballot has its answer
  EXPECT_EQ(answers.calls().size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(answers.result(absl::StrCat("R", i)).status.ok());

  writer.Submit(BallotFor(500), {}, answers.For("R500"));
  ASSERT_TRUE(answers.Wait(101));  // answered at once, by Submit itself
  EXPECT_EQ(answers.result("R500").status.code(), absl::StatusCode::kUnavailable);
}

TEST(BallotWriterTest, AFailedCommitAnswersItsWholeGroupWithTheError) {
  auto failing_commit = [](const std::vector<NewBallot>& group) {
    return std::vector<BallotResult>(group.size(), {absl::UnavailableError("PostgreSQL unavailable"), 0, "", false});
  };
  Answers answers;
  BallotWriter writer(failing_commit, 256, microseconds(100), nullptr, nullptr);
  for (int i = 0; i < 10; ++i) writer.Submit(BallotFor(i), {}, answers.For(absl::StrCat("R", i)));
  ASSERT_TRUE(answers.Wait(10));
  writer.Stop();
  for (int i = 0; i < 10; ++i) {
    BallotResult r = answers.result(absl::StrCat("R", i));
    EXPECT_EQ(r.status.code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(r.ballot_id, 0);  // no false acknowledgement
  }
}

}  // namespace
}  // namespace bkk::voting

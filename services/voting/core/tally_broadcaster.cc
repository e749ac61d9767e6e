// One computation per district change, handed to every watcher; see
// tally_broadcaster.h.
#include "services/voting/core/tally_broadcaster.h"

#include <vector>

#include "common/log.h"

namespace bkk::voting {
namespace {

// A passing outage keeps the watchers and tries again; anything else means
// the district cannot be watched and ends them.
bool IsTransient(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

}  // namespace

TallyBroadcaster::TallyBroadcaster(Compute compute, Options options)
    : compute_(std::move(compute)), options_(options) {}

TallyBroadcaster::~TallyBroadcaster() { Stop(absl::UnavailableError("the live tally service is stopping")); }

void TallyBroadcaster::Start() {
  thread_ = std::thread([this] { Run(); });
}

uint64_t TallyBroadcaster::Subscribe(const Key& key, std::shared_ptr<Subscriber> subscriber) {
  std::lock_guard<std::mutex> delivery(delivery_mu_);
  std::shared_ptr<const TallyFrame> current;
  uint64_t handle = 0;
  absl::Status refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      refused = stop_status_;
    } else {
      handle = next_handle_++;
      auto [it, created] = entries_.try_emplace(key);
      it->second.subscribers.emplace(handle, subscriber);
      handles_.emplace(handle, key);
      current = it->second.frame;
      if (created) cv_.notify_one();  // first watcher: compute now
    }
  }
  if (handle == 0) {
    subscriber->OnEnd(refused);
  } else if (current) {
    subscriber->OnFrame(current);
  }
  return handle;
}

void TallyBroadcaster::Unsubscribe(uint64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  auto h = handles_.find(handle);
  if (h == handles_.end()) return;
  auto it = entries_.find(h->second);
  handles_.erase(h);
  if (it == entries_.end()) return;
  it->second.subscribers.erase(handle);
  // The last watcher gone: forget the district (unless the thread is
  // computing it, which then drops it).
  if (it->second.subscribers.empty() && !it->second.computing) entries_.erase(it);
}

void TallyBroadcaster::OnChange(const TallyChange& change) {
  std::lock_guard<std::mutex> lock(mu_);
  bool any = false;
  if (change.kind == TallyChange::Kind::kRound) {
    for (auto it = entries_.lower_bound(Key{change.round_id, INT32_MIN, INT32_MIN});
         it != entries_.end() && it->first.round_id == change.round_id; ++it) {
      it->second.dirty = true;
      any = true;
    }
  } else {
    for (const auto& [round, district] : change.districts) {
      for (auto it = entries_.lower_bound(Key{round, district, INT32_MIN});
           it != entries_.end() && it->first.round_id == round && it->first.district_id == district; ++it) {
        // Already counted in the current frame: nothing to do.
        if (it->second.frame && it->second.frame->watermark >= change.watermark) continue;
        it->second.dirty = true;
        any = true;
      }
    }
  }
  if (any) cv_.notify_one();
}

void TallyBroadcaster::RecheckAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, e] : entries_) e.dirty = true;
  cv_.notify_one();
}

void TallyBroadcaster::Stop(const absl::Status& why) {
  std::vector<std::shared_ptr<Subscriber>> ended;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    stop_status_ = why;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> delivery(delivery_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, e] : entries_) {
      for (auto& [handle, s] : e.subscribers) ended.push_back(s);
    }
    entries_.clear();
    handles_.clear();
  }
  for (auto& s : ended) s->OnEnd(why);
}

TallyBroadcaster::Stats TallyBroadcaster::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s;
  s.districts = entries_.size();
  s.subscribers = handles_.size();
  s.computes = computes_;
  s.frames = frames_;
  return s;
}

TallyBroadcaster::Clock::time_point TallyBroadcaster::DueAt(const Entry& e) const {
  if (!e.dirty) return e.recheck_at;
  return std::max(e.last_compute + options_.push_interval, e.not_before);
}

void TallyBroadcaster::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    // The district due soonest (a handful of entries: one per watched
    // district and top-N size, whatever the number of watchers).
    auto now = Clock::now();
    auto next = entries_.end();
    Clock::time_point due = Clock::time_point::max();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      auto at = DueAt(it->second);
      if (at < due) {
        due = at;
        next = it;
      }
    }
    if (next == entries_.end() || due > now) {
      if (next == entries_.end()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, due);
      }
      continue;
    }
    const Key key = next->first;
    next->second.dirty = false;
    next->second.computing = true;
    next->second.last_compute = now;
    lock.unlock();
    auto result = compute_(key);
    // Hand out under the delivery lock, taken before the state lock (the
    // order Subscribe uses).
    std::unique_lock<std::mutex> delivery(delivery_mu_);
    lock.lock();
    ++computes_;
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    Entry& e = it->second;
    e.computing = false;
    if (e.subscribers.empty() || stopping_) {
      if (e.subscribers.empty()) entries_.erase(it);
      continue;
    }
    std::vector<std::shared_ptr<Subscriber>> targets;
    targets.reserve(e.subscribers.size());
    for (auto& [handle, s] : e.subscribers) targets.push_back(s);
    std::shared_ptr<const TallyFrame> frame;
    absl::Status end = absl::OkStatus();
    bool ending = false;
    if (result.ok()) {
      const auto& fresh = *result;
      e.recheck_at = Clock::now() + (fresh->degraded ? options_.degraded_recheck : options_.recheck_interval);
      const bool same =
          e.frame && e.frame->content_hash == fresh->content_hash && e.frame->voting_closed == fresh->voting_closed;
      if (!same) {
        e.frame = fresh;
        frame = fresh;
        ++frames_;
      }
      ending = fresh->voting_closed;
    } else if (IsTransient(result.status())) {
      e.dirty = true;
      e.not_before = Clock::now() + options_.degraded_recheck;
    } else {
      ending = true;
      end = result.status();
    }
    if (ending) {
      for (auto& [handle, s] : e.subscribers) handles_.erase(handle);
      entries_.erase(it);
    }
    lock.unlock();
    if (frame) {
      for (auto& s : targets) s->OnFrame(frame);
    }
    if (ending) {
      for (auto& s : targets) s->OnEnd(end);
    }
    delivery.unlock();
    lock.lock();
  }
}

}  // namespace bkk::voting

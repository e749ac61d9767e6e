// WatchTallies streams; see tally_watch.h.
#include "services/voting/grpc/tally_watch.h"

#include <functional>
#include <mutex>

#include "common/grpc_status.h"
#include "common/latest_only.h"

namespace bkk::voting {
namespace pb = bkkbudget::voting::v1;
namespace {

// One watcher's stream. Owned by itself (until gRPC calls OnDone) and by
// the broadcaster (while subscribed). Decisions are made under `mu_`;
// StartWrite and Finish are called outside it, and Finish only when no
// write is in flight, so the reactor is never finished under a write.
class TallyWatch final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                         public TallyBroadcaster::Subscriber,
                         public std::enable_shared_from_this<TallyWatch> {
 public:
  explicit TallyWatch(TallyBroadcaster* broadcaster) : broadcaster_(broadcaster) {}

  void Begin(const TallyBroadcaster::Key& key) {
    self_ = shared_from_this();  // released in OnDone
    const uint64_t handle = broadcaster_->Subscribe(key, self_);
    std::lock_guard<std::mutex> lock(mu_);
    handle_ = handle;
  }

  // Ends a stream whose request is refused before it subscribes.
  void Refuse(grpc::Status status) {
    self_ = shared_from_this();
    FinishWhenIdle(std::move(status));
  }

  void OnFrame(const std::shared_ptr<const TallyFrame>& frame) override {
    std::shared_ptr<const TallyFrame> now;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finishing_) return;
      auto write = slot_.Offer(frame);
      if (!write) return;  // a write is out: this frame waits (or is replaced)
      now = in_flight_ = *write;
    }
    StartWrite(&static_cast<const EncodedTallyFrame&>(*now).bytes);
  }

  void OnEnd(const absl::Status& status) override { FinishWhenIdle(ToGrpcStatus(status)); }

  void OnWriteDone(bool ok) override {
    std::shared_ptr<const TallyFrame> next;
    bool finish = false;
    grpc::Status status;
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_.reset();
      auto waiting = slot_.WriteDone();
      if (!ok && !finishing_) {
        // The watcher is gone; gRPC still needs a Finish to call OnDone.
        finishing_ = true;
        finish_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the watcher left");
      }
      // A clean end (round closed) still writes the waiting final frame.
      if (waiting && (!finishing_ || finish_status_.ok())) {
        next = in_flight_ = *waiting;
      } else if (finishing_ && !finished_) {
        finished_ = finish = true;
        status = finish_status_;
      }
    }
    if (next) {
      StartWrite(&static_cast<const EncodedTallyFrame&>(*next).bytes);
    } else if (finish) {
      Finish(status);
    }
  }

  void OnCancel() override {
    Unsubscribe();
    FinishWhenIdle(grpc::Status(grpc::StatusCode::CANCELLED, "the watcher left"));
  }

  void OnDone() override {
    Unsubscribe();
    std::shared_ptr<TallyWatch> self;
    std::lock_guard<std::mutex> lock(mu_);
    self = std::move(self_);  // may destroy this once the broadcaster lets go too
  }

 private:
  void Unsubscribe() {
    uint64_t handle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      handle = handle_;
      handle_ = 0;
    }
    if (handle != 0) broadcaster_->Unsubscribe(handle);
  }

  void FinishWhenIdle(grpc::Status status) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (finishing_) return;
      finishing_ = true;
      finish_status_ = std::move(status);
      if (slot_.writing()) return;  // OnWriteDone finishes
      finished_ = true;
    }
    Finish(finish_status_);
  }

  TallyBroadcaster* const broadcaster_;
  std::mutex mu_;
  std::shared_ptr<TallyWatch> self_;
  uint64_t handle_ = 0;
  LatestOnly<std::shared_ptr<const TallyFrame>> slot_;
  std::shared_ptr<const TallyFrame> in_flight_;  // keeps the bytes alive while written
  bool finishing_ = false;
  bool finished_ = false;
  grpc::Status finish_status_;
};

}  // namespace

void ToProto(const TopProposals& top, google::protobuf::RepeatedPtrField<pb::ProposalTally>* out) {
  for (const auto& t : top.proposals) {
    auto* pt = out->Add();
    pt->set_proposal_id(t.proposal.proposal_id);
    pt->set_title(t.proposal.title);
    pt->set_support(t.support);
    pt->set_estimated_cost_baht(t.proposal.estimated_cost_baht);
    pt->set_rank(t.rank);
  }
}

TallyBroadcaster::Compute EncodeTallyFrames(VotingApp* app) {
  return [app](const TallyBroadcaster::Key& key) -> absl::StatusOr<std::shared_ptr<const TallyFrame>> {
    auto top = app->GetTopProposals(key.round_id, key.district_id, key.limit);
    if (!top.ok()) return top.status();
    pb::WatchTalliesResponse message;
    ToProto(*top, message.mutable_proposals());
    message.set_voter_count(top->voter_count);
    message.set_voting_closed(top->voting_closed);
    auto frame = std::make_shared<EncodedTallyFrame>();
    // What watchers see, watermark aside (see TallyFrame::content_hash).
    frame->content_hash = std::hash<std::string>()(message.SerializeAsString());
    message.set_watermark(top->watermark);
    grpc::Slice slice(message.SerializeAsString());
    frame->bytes = grpc::ByteBuffer(&slice, 1);
    frame->watermark = top->watermark;
    frame->voting_closed = top->voting_closed;
    frame->degraded = top->served_from != "redis";
    return std::shared_ptr<const TallyFrame>(std::move(frame));
  };
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* StartTallyWatch(TallyBroadcaster* broadcaster,
                                                            const grpc::ByteBuffer* request) {
  auto watch = std::make_shared<TallyWatch>(broadcaster);
  pb::WatchTalliesRequest parsed;
  grpc::Slice bytes;
  if (!request->DumpToSingleSlice(&bytes).ok() || !parsed.ParseFromArray(bytes.begin(), bytes.size())) {
    watch->Refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the request is not a WatchTalliesRequest"));
    return watch.get();
  }
  // Checked here so a bad size never becomes a broadcast of its own, and
  // 0 and 10 share one.
  auto limit = VotingApp::TopLimit(parsed.limit());
  if (!limit.ok()) {
    watch->Refuse(ToGrpcStatus(limit.status()));
    return watch.get();
  }
  watch->Begin({parsed.round_id(), parsed.district_id(), *limit});
  return watch.get();
}

}  // namespace bkk::voting

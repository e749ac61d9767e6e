// WatchTallies on gRPC's callback API. Each stream is a reactor subscribed
// to its district's broadcast (app/tally_broadcaster.h): no thread waits per
// stream, the district's message is encoded once per change for all of its
// watchers, and a stream that cannot keep up writes only the newest frame.
#ifndef BKK_SERVICES_VOTING_GRPC_TALLY_WATCH_H_
#define BKK_SERVICES_VOTING_GRPC_TALLY_WATCH_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include "bkkbudget/voting/v1/voting.pb.h"
#include "services/voting/core/tally_broadcaster.h"
#include "services/voting/core/voting_app.h"

namespace bkk::voting {

// A frame with its WatchTalliesResponse already serialized: every stream of
// the district writes these same bytes (the slice is shared, not copied).
struct EncodedTallyFrame final : TallyFrame {
  grpc::ByteBuffer bytes;
};

// The top list as proto tallies (GetTopProposals answers the same way).
void ToProto(const TopProposals& top, google::protobuf::RepeatedPtrField<bkkbudget::voting::v1::ProposalTally>* out);

// The broadcaster's compute function: the district's top list from `app`,
// encoded once.
TallyBroadcaster::Compute EncodeTallyFrames(VotingApp* app);

// Starts one WatchTallies stream (the raw request bytes are parsed here).
grpc::ServerWriteReactor<grpc::ByteBuffer>* StartTallyWatch(TallyBroadcaster* broadcaster,
                                                            const grpc::ByteBuffer* request);

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_GRPC_TALLY_WATCH_H_

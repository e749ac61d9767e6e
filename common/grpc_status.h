// The one place where the core's absl::Status meets gRPC's status, both ways.
// Codes are numerically identical by design of both libraries; the mapping is
// still spelled out so a mismatch would fail to compile or a test would catch it.
#ifndef BKK_SERVICES_COMMON_GRPC_STATUS_H_
#define BKK_SERVICES_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "common/error_reason.h"

namespace bkk {

grpc::StatusCode ToGrpcCode(absl::StatusCode code);
absl::StatusCode FromGrpcCode(grpc::StatusCode code);

// A reason attached with WithReason (error_reason.h) travels as a
// google.rpc.Status with one google.rpc.ErrorInfo in the binary details
// (grpc-status-details-bin), the way Google's APIs and grpc-gateway carry it.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_GRPC_STATUS_H_

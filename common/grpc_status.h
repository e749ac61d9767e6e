// The one place where the core's absl::Status meets gRPC's status, both ways.
// Codes are numerically identical by design of both libraries; the mapping is
// still spelled out so a mismatch would fail to compile or a test would catch it.
#ifndef BKK_SERVICES_COMMON_GRPC_STATUS_H_
#define BKK_SERVICES_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace bkk {

grpc::StatusCode ToGrpcCode(absl::StatusCode code);
absl::StatusCode FromGrpcCode(grpc::StatusCode code);

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(ToGrpcCode(status.code()), std::string(status.message()));
}

inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(FromGrpcCode(status.error_code()), status.error_message());
}

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_GRPC_STATUS_H_

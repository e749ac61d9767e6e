// Early returns on error, so a function reads as its happy path:
//
//   RETURN_IF_ERROR(store_->Check(x));
//   ASSIGN_OR_RETURN(RoundRecord round, store_->GetRound(id));
//   ASSIGN_OR_RETURN(auto top, app_->GetTopProposals(r, d, n), ToGrpcStatus);
//
// The optional last argument turns the error into the enclosing function's
// return type (a gRPC adapter returns grpc::Status). Use these wherever a
// function returns a status on the first failure; write the check by hand
// only when the error is handled, not passed on.
#ifndef BKK_COMMON_STATUS_MACROS_H_
#define BKK_COMMON_STATUS_MACROS_H_

#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define BKK_STATUS_CONCAT_INNER_(a, b) a##b
#define BKK_STATUS_CONCAT_(a, b) BKK_STATUS_CONCAT_INNER_(a, b)
#define BKK_STATUS_PICK_(_1, _2, _3, name, ...) name

// RETURN_IF_ERROR(expr) or RETURN_IF_ERROR(expr, transform)
#define RETURN_IF_ERROR(...) \
  BKK_STATUS_PICK_(__VA_ARGS__, _, BKK_RETURN_IF_ERROR_2_, BKK_RETURN_IF_ERROR_1_, _)(__VA_ARGS__)
#define BKK_RETURN_IF_ERROR_1_(expr) BKK_RETURN_IF_ERROR_2_(expr, )
#define BKK_RETURN_IF_ERROR_2_(expr, transform)           \
  do {                                                    \
    ::absl::Status bkk_status_ = (expr);                  \
    if (!bkk_status_.ok()) return transform(bkk_status_); \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr) or ASSIGN_OR_RETURN(lhs, expr, transform)
#define ASSIGN_OR_RETURN(...) \
  BKK_STATUS_PICK_(__VA_ARGS__, BKK_ASSIGN_OR_RETURN_3_, BKK_ASSIGN_OR_RETURN_2_, _, _)(__VA_ARGS__)
#define BKK_ASSIGN_OR_RETURN_2_(lhs, expr) BKK_ASSIGN_OR_RETURN_3_(lhs, expr, )
#define BKK_ASSIGN_OR_RETURN_3_(lhs, expr, transform) \
  BKK_ASSIGN_OR_RETURN_IMPL_(BKK_STATUS_CONCAT_(bkk_statusor_, __LINE__), lhs, expr, transform)
#define BKK_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr, transform)    \
  auto statusor = (expr);                                             \
  if (!statusor.ok()) return transform(std::move(statusor).status()); \
  lhs = *std::move(statusor)

namespace bkk {

// The value type of a function that returns T or absl::StatusOr<T>, and the
// call itself as a StatusOr: for helpers that take "work" either way.
template <typename R>
struct StatusOrValue {
  using type = R;
};
template <typename T>
struct StatusOrValue<absl::StatusOr<T>> {
  using type = T;
};

}  // namespace bkk

#endif  // BKK_COMMON_STATUS_MACROS_H_
